package dev.pipeline.rpc.bench;

/** What an implementation is in the comparison. */
public enum Role {
    /** Pipeline's own transport, through the public API ({@code Rpc.client} / {@code Rpc.server}). */
    PIPELINE,
    /** Pipeline with a documented non-default setting (handlers on a direct executor). */
    VARIANT,
    /** The broker's raw client ping-pong: the floor our transport is compared against. */
    FLOOR,
    /** A library users would otherwise pick (Spring Kafka's ReplyingKafkaTemplate). */
    COMPETITOR,
    /** A diagnostic row: a part of Pipeline measured alone (its transport at SPI level, without the core). */
    DIAGNOSTIC
}
