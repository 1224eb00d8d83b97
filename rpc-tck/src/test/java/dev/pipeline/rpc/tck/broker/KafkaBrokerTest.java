package dev.pipeline.rpc.tck.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void securedBrokerTakesItsUsersOverTlsAndDeniesWhatNoAclAllows() throws Exception {
        try (KafkaBroker broker = KafkaBroker.startLocalSecured("alice")) {
            KafkaBroker.Security security = broker.security().orElseThrow();
            assertThat(security.users()).containsExactlyInAnyOrder("admin", "alice");
            assertThat(Files.isRegularFile(security.truststore())).isTrue();
            Map<String, Object> admin = new HashMap<>(security.adminProperties());
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin a = Admin.create(admin)) {
                a.createTopics(List.of(new NewTopic("secured-check", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> alice = new HashMap<>(security.clientProperties("alice"));
            alice.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin a = Admin.create(alice)) {
                // no ACL: the topic is invisible to alice, and describing it is denied
                assertThat(a.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("secured-check");
                assertThatThrownBy(() -> a.describeTopics(List.of("secured-check")).allTopicNames()
                        .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            assertThat(security.authorizerDenials()).anySatisfy(line -> assertThat(line)
                    .contains("User:alice").contains("secured-check"));
            assertThat(security.toString()).doesNotContain(security.truststorePassword());
            // the users and the TLS listener survive a restart
            broker.restart();
            try (Admin a = Admin.create(admin)) {
                assertThat(a.listTopics().names().get(30, TimeUnit.SECONDS)).contains("secured-check");
            }
        }
    }

    @Test
    void childClassPathExpandsToSomethingThatHoldsTheBroker() {
        assertThat(LocalKafkaProcess.childClassPath()).contains("kafka_2.13");
    }

    private static Admin admin(KafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
