package dev.pipeline.rpc;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The call a handler is running for: its service and method, ids, caller and deadline. Read it with
 * {@link #current()} on the thread the server called the handler on, without changing the handler's signature:
 *
 * <pre>{@code
 * public int add(int a, int b) {
 *     RpcContext ctx = RpcContext.current().orElseThrow();
 *     log.info("{} called {}.{}, {} left", ctx.clientId(), ctx.service(), ctx.method(), ctx.timeLeft());
 *     return a + b;
 * }
 * }</pre>
 *
 * <p>Valid while the handler method runs on that thread (an asynchronous handler reads it before it hands work to
 * another thread, and passes it on itself). A call made through any {@link RpcClient} on that thread inherits the
 * deadline: its timeout is cut to the time left, so it never outlives the call that made it.
 */
public final class RpcContext {
    static final ThreadLocal<RpcContext> CURRENT = new ThreadLocal<>();

    private final String service;
    private final String method;
    private final String id;
    private final String correlationId;
    private final String clientId;
    private final long deadlineEpochMillis;
    private final String traceparent;
    private final java.util.function.BooleanSupplier cancelled;

    RpcContext(String service, String method, String id, String correlationId, String clientId,
               long deadlineEpochMillis, String traceparent) {
        this(service, method, id, correlationId, clientId, deadlineEpochMillis, traceparent, () -> false);
    }

    RpcContext(String service, String method, String id, String correlationId, String clientId,
               long deadlineEpochMillis, String traceparent, java.util.function.BooleanSupplier cancelled) {
        this.cancelled = cancelled;
        this.service = service;
        this.method = method;
        this.id = id;
        this.correlationId = correlationId;
        this.clientId = clientId;
        this.deadlineEpochMillis = deadlineEpochMillis;
        this.traceparent = traceparent;
    }

    /** @return the context of the call whose handler runs on this thread, or empty outside a handler */
    public static Optional<RpcContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** @return the service called */
    public String service() {
        return service;
    }

    /** @return the JSON-RPC method called */
    public String method() {
        return method;
    }

    /** @return the request's JSON-RPC id as JSON text ({@code 7}, {@code "a"}), or null for a notification */
    public String id() {
        return id;
    }

    /** @return the transport's correlation id ({@code rpc-id}), or null (a notification, a direct dispatch) */
    public String correlationId() {
        return correlationId;
    }

    /** @return the caller's client id ({@code rpc-client}), or null when the message carried none */
    public String clientId() {
        return clientId;
    }

    /** @return when the caller stops waiting ({@code rpc-deadline}), or empty when the request carried none */
    public Optional<Instant> deadline() {
        return deadlineEpochMillis > 0 ? Optional.of(Instant.ofEpochMilli(deadlineEpochMillis)) : Optional.empty();
    }

    /** @return the time left until {@link #deadline()} (zero once it passed), or empty without a deadline */
    public Optional<Duration> timeLeft() {
        return deadlineEpochMillis > 0
                ? Optional.of(Duration.ofMillis(Math.max(0, deadlineEpochMillis - System.currentTimeMillis())))
                : Optional.empty();
    }

    /** @return the W3C trace context the request carried ({@code traceparent}), or null */
    public String traceparent() {
        return traceparent;
    }

    /**
     * @return whether the caller cancelled this call ({@code rpc.cancel}) while it runs: a long handler may poll it
     * and stop early (its reply is dropped by the client). A method declared {@link Interruptible} is also
     * interrupted.
     */
    public boolean cancelled() {
        return cancelled.getAsBoolean();
    }

    /** The deadline in epoch milliseconds, 0 for none. */
    long deadlineEpochMillis() {
        return deadlineEpochMillis;
    }

    @Override
    public String toString() {
        return "RpcContext{" + service + "." + method + ", id " + id + ", client " + clientId
                + (deadlineEpochMillis > 0 ? ", deadline " + Instant.ofEpochMilli(deadlineEpochMillis) : "") + "}";
    }
}
