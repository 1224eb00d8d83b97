package dev.pipeline.rpc.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reply address checks that need no broker: syntax and namespace, before dispatch. */
class ReplyAddressesTest {
    private final ReplyAddresses addresses = new ReplyAddresses(
            new KafkaTransport(KafkaTransportConfig.builder().build()), "calc", Runnable::run);

    @Test
    void theAddressesClientsSendAreAccepted() {
        assertThat(addresses.parse(null)).isNull();
        assertThat(addresses.parse("rpc-replies:3").address())
                .isEqualTo(new ReplyAddresses.Address("rpc-replies", 3));
        assertThat(addresses.parse("rpc-replies").address())
                .isEqualTo(new ReplyAddresses.Address("rpc-replies", -1));
        assertThat(addresses.parse("rpc-replies-orders:0").address().topic()).isEqualTo("rpc-replies-orders");
        assertThat(addresses.parse("rpc-replies.eu_1:2147483647").address().partition())
                .isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":0", "rpc-replies:", "rpc-replies:-1", "rpc-replies:+1", "rpc-replies: 1",
            "rpc-replies:2147483648", "rpc-replies:99999999999", "rpc-replies:1:2", "rpc-replies:x", "bad topic!:0",
            "rpc-replies/x:0", ".:0", "..", "rpc-répliés:0", "rpc-replies\n:0", "rpc.calc:0", "rpc.calc.dlq",
            "rpc.other:0", "rpc.other.dlq:0", "__consumer_offsets:0", "__transaction_state", "orders-events:0",
            "rpc-repliesx:0", "rpc-replies-:0", "rpc-replies-x.dlq:0", "rpc:0"})
    void everythingElseIsRefusedWithAReason(String replyTo) {
        ReplyAddresses.Parsed p = addresses.parse(replyTo);
        assertThat(p.address()).as(replyTo).isNull();
        assertThat(p.problem()).startsWith("invalid reply address: ").doesNotContain("\n");
    }

    @Test
    void topicNamesOverKafkasLimitAreRefusedAndReasonsStayShort() {
        String name = "rpc-replies-" + "x".repeat(237);
        assertThat(name).hasSize(249);
        assertThat(addresses.parse(name + ":0").address()).isNotNull();
        ReplyAddresses.Parsed p = addresses.parse(name + "x:0");
        assertThat(p.problem()).contains("250 chars");
        assertThat(addresses.parse("x".repeat(100_000)).problem().length()).isLessThan(400);
    }

    @Test
    void aReplyTopicWhereServersSendNoReplyIsRefusedByTheConfig() {
        assertThatThrownBy(() -> KafkaTransportConfig.builder().replyTopic("rpc.replies").build())
                .hasMessageContaining("topicPrefix");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().topicPrefix("rpc").build())
                .hasMessageContaining("topicPrefix");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().replyTopic("__replies").build())
                .hasMessageContaining("__");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().replyTopic("replies.dlq").build())
                .hasMessageContaining(".dlq");
        assertThat(KafkaTransportConfig.builder().topicPrefix("").replyTopic("app-replies").build().replyTopic())
                .isEqualTo("app-replies");
    }
}
