package dev.pipeline.rpc.spi;

/** Features a transport may or may not offer; the TCK adapts its suites to them. */
public enum Capability {
    /** Messages survive until acknowledged: a server started later receives requests sent while it was down. */
    PERSISTENT,
    /** A message taken by a server that dies before acknowledging it is delivered to another instance. */
    REDELIVERY_AFTER_CRASH,
    /** Unparseable messages are copied to a dead-letter destination. */
    DEAD_LETTER,
    /** Several server instances of one service share the load. */
    LOAD_SHARING
}
