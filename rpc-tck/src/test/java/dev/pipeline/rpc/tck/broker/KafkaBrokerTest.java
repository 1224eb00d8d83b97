package dev.pipeline.rpc.tck.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaBrokerTest {

    @Test
    void localBrokerAnswersSurvivesRestartAndCleansUp() throws Exception {
        KafkaBroker broker = KafkaBroker.startLocal();
        try {
            assertThat(broker.kind()).isEqualTo(KafkaBroker.Kind.LOCAL_PROCESS);
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic("fixture-check", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            broker.restart();
            try (Admin admin = admin(broker)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("fixture-check");
            }
        } finally {
            broker.close();
        }
        assertThat(broker.canRestart()).isTrue();
    }

    @Test
    void childClassPathExpandsToSomethingThatHoldsTheBroker() {
        assertThat(LocalKafkaProcess.childClassPath()).contains("kafka_2.13");
    }

    private static Admin admin(KafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
