package dev.pipeline.rpc;

/**
 * Whether calls are traced, set with {@link ClientConfig.Builder#tracing} and {@link ServerConfig.Builder#tracing}
 * (default {@link #disabled()}). Tracing with OpenTelemetry: {@link OpenTelemetryTracing#of} or
 * {@link OpenTelemetryTracing#global()}, which need {@code io.opentelemetry:opentelemetry-api} on the class path;
 * this class does not, and without it nothing of OpenTelemetry is loaded (docs/tracing.md).
 */
public final class RpcTracing {
    private static final RpcTracing DISABLED = new RpcTracing(null);

    /** What starts the spans; null when disabled. */
    final TraceHooks hooks;

    RpcTracing(TraceHooks hooks) {
        this.hooks = hooks;
    }

    /** @return no tracing: no spans, and requests carry no trace context (the default) */
    public static RpcTracing disabled() {
        return DISABLED;
    }

    /** @return whether calls are traced */
    public boolean enabled() {
        return hooks != null;
    }

    @Override
    public String toString() {
        return hooks == null ? "RpcTracing{disabled}" : "RpcTracing{" + hooks + "}";
    }
}
