package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.junit.jupiter.api.Test;

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
}
