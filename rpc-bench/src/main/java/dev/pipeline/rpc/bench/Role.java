package dev.pipeline.rpc.bench;

/** What an implementation is in the comparison. */
public enum Role {
    /** Pipeline's own transport, through the public API ({@code Rpc.client} / {@code Rpc.server}). */
    PIPELINE,
    /** The broker's raw client ping-pong: the floor our transport is compared against. */
    FLOOR,
    /** A library users would otherwise pick (Spring Kafka's ReplyingKafkaTemplate). */
    COMPETITOR
}
