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

    @Test
    void dropsEveryTenthReplyFailsTheConcurrencyTest() {
        Events events = run(Probes.DropTenthReplyDelivery.class, "thousandConcurrentCallsFromSeveralClients");
        events.assertStatistics(s -> s.started(1).failed(1).succeeded(0));
        assertThat(events.failed().stream().findFirst().orElseThrow().getPayload(
                org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .hasMessageContaining("calls that failed");
    }

    @Test
    void dropsEveryTenthReplyFailsTheAsyncSemanticsTest() {
        Events events = run(Probes.DropTenthReplySemantics.class, "asyncCalls");
        events.assertStatistics(s -> s.started(1).failed(1));
    }

    @Test
    void answeringNotificationsFailsTheNotificationTest() {
        Events events = run(Probes.AnswerNotificationsSemantics.class, "rawNotificationsGetNoReply");
        events.assertStatistics(s -> s.started(1).failed(1));
    }

    @Test
    void theSameTestsPassOnAHealthyTransport() {
        run(Probes.HealthyDelivery.class, "thousandConcurrentCallsFromSeveralClients")
                .assertStatistics(s -> s.started(1).succeeded(1));
        run(Probes.HealthySemantics.class, "asyncCalls", "rawNotificationsGetNoReply")
                .assertStatistics(s -> s.started(2).succeeded(2));
    }
}
