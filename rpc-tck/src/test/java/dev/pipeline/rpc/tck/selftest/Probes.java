package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.DeliverySuite;
import dev.pipeline.rpc.tck.SemanticsSuite;
import dev.pipeline.rpc.tck.TracingSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/**
 * Suite classes bound to broken (and, as a control, healthy) transports. Not run by Surefire (nested classes are
 * excluded); {@link TckDetectsBrokenTransportsTest} runs them with the JUnit Platform EngineTestKit.
 */
final class Probes {
    private Probes() {
    }

    static class DropTenthReplyDelivery extends DeliverySuite {
        @Override
        protected TransportFixture fixture() {
            return new BrokenFixture("tck-drop-tenth");
        }
    }

    static class DropTenthReplySemantics extends SemanticsSuite {
        @Override
        protected TransportFixture fixture() {
            return new BrokenFixture("tck-drop-tenth");
        }
    }

    static class AnswerNotificationsSemantics extends SemanticsSuite {
        @Override
        protected TransportFixture fixture() {
            return new BrokenFixture("tck-answer-notifications");
        }
    }

    static class MangleUtf8Semantics extends SemanticsSuite {
        @Override
        protected TransportFixture fixture() {
            return new BrokenFixture("tck-utf8-mangle");
        }
    }

    static class DropTraceContextTracing extends TracingSuite {
        @Override
        protected TransportFixture fixture() {
            return new BrokenFixture("tck-drop-trace");
        }
    }

    static class HealthyTracing extends TracingSuite {
        @Override
        protected TransportFixture fixture() {
            return new InprocFixture();
        }
    }

    static class BroadcastRepliesDelivery extends DeliverySuite {
        @Override
        protected TransportFixture fixture() {
            return new BrokenFixture("tck-broadcast-replies");
        }
    }

    static class AtMostOnceLiarDelivery extends DeliverySuite {
        @Override
        protected TransportFixture fixture() {
            return new BrokenFixture("tck-at-most-once-liar");
        }
    }

    static class HealthyDelivery extends DeliverySuite {
        @Override
        protected TransportFixture fixture() {
            return new InprocFixture();
        }
    }

    static class HealthySemantics extends SemanticsSuite {
        @Override
        protected TransportFixture fixture() {
            return new InprocFixture();
        }
    }
}
