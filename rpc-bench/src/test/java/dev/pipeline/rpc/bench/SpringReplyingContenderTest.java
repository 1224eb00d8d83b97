package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.serializer.JsonSerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's template leaves a timeout task queued for every request, answered or not, for the whole reply timeout;
 * after a run the contender drops them, so the implementations measured next do not run them.
 */
class SpringReplyingContenderTest {
    @Test
    void theTimeoutTasksOfAnsweredRequestsAreDroppedAfterARun() throws Exception {
        try (SpringReplyingContender spring = new SpringReplyingContender(KafkaBroker.shared().bootstrapServers())) {
            spring.start();
            List<CompletableFuture<?>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(spring.roundTrip().call("x").toCompletableFuture());
            }
            CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            assertThat(spring.queuedTimeouts()).as("one per request, answered or not").isGreaterThanOrEqualTo(50);
            spring.afterRun();
            assertThat(spring.queuedTimeouts()).isZero();
            assertThat(spring.roundTrip().call("after").toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .as("the template still answers").isNotNull();
        }
    }

    @Test
    void theTypedRowSendsTheBytesTheOthersSend() {
        try (JsonSerializer<Object> json = new JsonSerializer<>()) {
            json.setAddTypeInfo(false);
            String payload = "p".repeat(100);
            assertThat(json.serialize("t", new SpringReplyingContender.JsonRpcRequest("2.0", "echo",
                    List.of(payload), 7))).isEqualTo(Contender.jsonRequest(payload, 7));
            assertThat(new String(json.serialize("t", new SpringReplyingContender.JsonRpcResponse("2.0", payload, 7)),
                    StandardCharsets.UTF_8)).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"" + payload + "\",\"id\":7}");
        }
    }

    @Test
    void theTypedRowEchoesThePayloadThroughSpringsJsonSerializers() throws Exception {
        try (SpringReplyingContender typed = SpringReplyingContender.typed(KafkaBroker.shared().bootstrapServers())) {
            assertThat(typed.name()).isEqualTo("spring ReplyingKafkaTemplate, typed JSON");
            assertThat(typed.role()).as("not the reference of the targets").isEqualTo(Role.DIAGNOSTIC);
            typed.start();
            String payload = "p".repeat(10_000);
            assertThat(typed.roundTrip().call(payload).toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .isEqualTo(payload);
            assertThat(typed.roundTrip().call("é \" \u2028").toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .isEqualTo("é \" \u2028");
        }
    }

    @Test
    void theLargeBatchesRowIsADiagnosticWithPipelinesLargeMessageBatchSize() throws Exception {
        try (SpringReplyingContender large = SpringReplyingContender.largeBatches(
                KafkaBroker.shared().bootstrapServers())) {
            assertThat(large.name()).isEqualTo("spring ReplyingKafkaTemplate, 256 KiB batches");
            assertThat(large.role()).isEqualTo(Role.DIAGNOSTIC);
            assertThat(large.setup()).contains("batch.size=262144");
            large.start();
            String payload = "q".repeat(10_000);
            assertThat(large.roundTrip().call(payload).toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .isNotNull();
        }
    }
}
