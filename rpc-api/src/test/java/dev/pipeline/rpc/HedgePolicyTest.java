package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.OutgoingRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HedgePolicyTest {
    @Test
    void defaultsAndDisabled() {
        HedgePolicy d = ClientConfig.defaults().hedging();
        assertThat(d).isSameAs(HedgePolicy.defaults());
        assertThat(d.enabled()).isTrue();
        assertThat(d.maxHedges()).isEqualTo(2);
        assertThat(d.minDelay()).isEqualTo(Duration.ofMillis(50));
        assertThat(d.maxDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(d.percentile()).isEqualTo(0.99);
        assertThat(d.budget()).isEqualTo(0.1);
        assertThat(HedgePolicy.disabled().enabled()).isFalse();
        assertThat(HedgePolicy.disabled().toString()).contains("disabled");
        assertThat(ClientConfig.builder().hedging(HedgePolicy.disabled()).build().toString()).contains("disabled");
    }

    @Test
    void valuesAreValidated() {
        assertThatThrownBy(() -> HedgePolicy.builder().maxHedges(-1)).hasMessageContaining("maxHedges");
        assertThatThrownBy(() -> HedgePolicy.builder().maxHedges(6)).hasMessageContaining("maxHedges");
        assertThatThrownBy(() -> HedgePolicy.builder().minDelay(Duration.ZERO)).hasMessageContaining("minDelay");
        assertThatThrownBy(() -> HedgePolicy.builder().maxDelay(Duration.ofDays(1))).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> HedgePolicy.builder().minDelay(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> HedgePolicy.builder().percentile(0.5)).hasMessageContaining("percentile");
        assertThatThrownBy(() -> HedgePolicy.builder().percentile(1)).hasMessageContaining("percentile");
        assertThatThrownBy(() -> HedgePolicy.builder().percentile(Double.NaN)).hasMessageContaining("percentile");
        assertThatThrownBy(() -> HedgePolicy.builder().budget(0)).hasMessageContaining("budget");
        assertThatThrownBy(() -> HedgePolicy.builder().minDelay(Duration.ofSeconds(2)).build())
                .hasMessageContaining("exceeds maxDelay");
        assertThatThrownBy(() -> ClientConfig.builder().hedging(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theDelayIsThePercentileOfRecentReplyTimesWithinTheBounds() {
        HedgePolicy p = HedgePolicy.builder().minDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(400))
                .percentile(0.9).build();
        ClientCore.ReplyTimes times = new ClientCore.ReplyTimes();
        assertThat(times.compute(p)).as("no samples yet: the longest delay").isEqualTo(ms(400));
        for (int i = 1; i <= 100; i++) {
            times.record(ms(i));
        }
        assertThat(times.compute(p)).as("p90 of 1..100 ms").isEqualTo(ms(90));
        for (int i = 0; i < ClientCore.ReplyTimes.SAMPLES; i++) {
            times.record(ms(1));
        }
        assertThat(times.compute(p)).as("raised to the shortest delay").isEqualTo(ms(20));
        for (int i = 0; i < ClientCore.ReplyTimes.SAMPLES; i++) {
            times.record(ms(5_000));
        }
        assertThat(times.compute(p)).as("capped at the longest delay").isEqualTo(ms(400));
    }

    @Test
    void theBudgetAllowsABurstThenAShareOfTheCalls() {
        ClientCore.HedgeBudget budget = new ClientCore.HedgeBudget(0.5);
        int burst = 0;
        while (budget.take()) {
            burst++;
        }
        assertThat(burst).isEqualTo(HedgePolicy.BURST);
        for (int i = 0; i < 10; i++) {
            budget.deposit();
        }
        int more = 0;
        while (budget.take()) {
            more++;
        }
        assertThat(more).as("half a hedge per call").isEqualTo(5);
        budget.refund();
        assertThat(budget.take()).as("a hedge that won is given back").isTrue();
        assertThat(budget.take()).isFalse();
    }

    @Test
    void onlyAnsweredRequestsAreHedges() {
        assertThat(new OutgoingRequest(new byte[1], "id", 0, null).attempt()).isZero();
        assertThat(new OutgoingRequest(new byte[1], "id", 0, null, 2).isHedge()).isTrue();
        assertThatThrownBy(() -> new OutgoingRequest(new byte[1], null, 0, null, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OutgoingRequest(new byte[1], "id", 0, null, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
