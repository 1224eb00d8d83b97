package dev.pipeline.rpc;

/** PLACEHOLDER: Micrometer-backed {@link RpcMetrics}; implemented with the client. */
final class MicrometerRpcMetrics {
}
