package dev.pipeline.rpc.tck.selftest;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TCK must fail on a broken transport: runs suite methods with the JUnit Platform EngineTestKit against
 * transports that drop every tenth reply or answer notifications, and (as a control) against healthy inproc.
 */
class TckDetectsBrokenTransportsTest {

    private static Events run(Class<?> suite, String... methods) {
        var request = EngineTestKit.engine("junit-jupiter");
        var selectors = new org.junit.platform.engine.DiscoverySelector[methods.length];
        for (int i = 0; i < methods.length; i++) {
            selectors[i] = DiscoverySelectors.selectMethod(suite, methods[i]);
        }
        EngineExecutionResults results = request.selectors(selectors).execute();
        return results.testEvents();
    }

    /** Asserts the one test run failed, and why. */
    private static void assertFailedBecause(Events events, String because) {
        events.assertStatistics(s -> s.started(1).failed(1).succeeded(0));
        Throwable t = events.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(t.toString()).contains(because);
    }

    @Test
    void dropsEveryTenthReplyFailsTheConcurrencyTest() {
        assertFailedBecause(run(Probes.DropTenthReplyDelivery.class, "thousandConcurrentCallsFromSeveralClients"),
                "calls that failed");
    }

    @Test
    void dropsEveryTenthReplyFailsTheAsyncSemanticsTest() {
        assertFailedBecause(run(Probes.DropTenthReplySemantics.class, "asyncCalls"), "RpcTimeoutException");
    }

    @Test
    void answeringNotificationsFailsTheNotificationTest() {
        assertFailedBecause(run(Probes.AnswerNotificationsSemantics.class, "rawNotificationsGetNoReply"),
                "replies delivered to this raw client");
    }

    @Test
    void manglingBodiesAsTextFailsTheByteForByteTest() {
        assertFailedBecause(run(Probes.MangleUtf8Semantics.class, "spiCarriesBytesAndMetadataExactly"),
                "request body");
    }

    @Test
    void droppingTheTraceContextFailsTheOneTraceTest() {
        assertFailedBecause(run(Probes.DropTraceContextTracing.class, "oneTraceThroughTheBrokerAHandlerAndANestedCall"),
                "is in the caller's trace");
        run(Probes.HealthyTracing.class, "oneTraceThroughTheBrokerAHandlerAndANestedCall")
                .assertStatistics(s -> s.started(1).succeeded(1));
    }

    @Test
    void broadcastingRepliesToEveryClientFailsTheOwnRepliesTest() {
        assertFailedBecause(run(Probes.BroadcastRepliesDelivery.class, "severalClientsGetOnlyTheirOwnReplies"),
                "replies delivered to this raw client");
    }

    @Test
    void claimingRedeliveryWithoutDoingItFailsTheCrashTest() {
        assertFailedBecause(run(Probes.AtMostOnceLiarDelivery.class, "serverStoppedAbruptlyMidCall"),
                "declares REDELIVERY_AFTER_CRASH, but");
    }

    @Test
    void theSameTestsPassOnAHealthyTransport() {
        run(Probes.HealthyDelivery.class, "thousandConcurrentCallsFromSeveralClients",
                "severalClientsGetOnlyTheirOwnReplies").assertStatistics(s -> s.started(2).succeeded(2));
        run(Probes.HealthySemantics.class, "asyncCalls", "rawNotificationsGetNoReply",
                "spiCarriesBytesAndMetadataExactly").assertStatistics(s -> s.started(3).succeeded(3));
    }
}
