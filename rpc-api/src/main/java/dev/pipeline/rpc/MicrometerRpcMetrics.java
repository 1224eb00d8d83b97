package dev.pipeline.rpc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link RpcMetrics} recorded to a Micrometer {@link MeterRegistry} (micrometer-core must then be on the class path):
 * <ul>
 *   <li>timer {@code pipeline.rpc.client.calls}, tags {@code service}, {@code method}, {@code transport},
 *       {@code outcome} (ok, error, timeout, closed);</li>
 *   <li>timer {@code pipeline.rpc.server.requests}, same tags (outcome ok, error);</li>
 *   <li>counter {@code pipeline.rpc.client.timeouts}, tags {@code service}, {@code transport};</li>
 *   <li>counter {@code pipeline.rpc.client.late.replies}, tag {@code transport}: replies dropped because no call
 *       is pending under their correlation id (late, duplicate or forged);</li>
 *   <li>counters {@code pipeline.rpc.client.hedges}, {@code pipeline.rpc.client.hedges.won} and
 *       {@code pipeline.rpc.client.hedges.denied}, tags {@code service}, {@code method}, {@code transport}: hedges
 *       sent to idempotent methods, hedged calls completed by a hedge's reply, and hedges the budget refused;</li>
 *   <li>counter {@code pipeline.rpc.client.cancels}, tags {@code service}, {@code method}, {@code transport}:
 *       {@code rpc.cancel} notifications sent for calls their callers cancelled;</li>
 *   <li>counter {@code pipeline.rpc.server.cancels}, tags {@code service}, {@code transport}: {@code rpc.cancel}
 *       notifications received;</li>
 *   <li>counter {@code pipeline.rpc.server.rejected}, tags {@code service}, {@code transport}, {@code reason};</li>
 *   <li>counter {@code pipeline.rpc.server.refused.reply.addresses}, tags {@code service}, {@code transport}:
 *       requests dead-lettered because their reply address was refused (the address, chosen by the sender, is
 *       never a tag).</li>
 * </ul>
 * Meters are created once per tag combination and cached, so recording costs one map lookup. The tag values must
 * come from a bounded set (service and method names of the code, not of arbitrary input): no tag holds a
 * correlation id, a client id or a reply address.
 */
public final class MicrometerRpcMetrics implements RpcMetrics {
    /** Name of the client call timer. */
    public static final String CLIENT_CALLS = "pipeline.rpc.client.calls";
    /** Name of the server request timer. */
    public static final String SERVER_REQUESTS = "pipeline.rpc.server.requests";
    /** Name of the client timeout counter. */
    public static final String CLIENT_TIMEOUTS = "pipeline.rpc.client.timeouts";
    /** Name of the client late reply counter. */
    public static final String CLIENT_LATE_REPLIES = "pipeline.rpc.client.late.replies";
    /** Name of the client hedges-sent counter. */
    public static final String CLIENT_HEDGES = "pipeline.rpc.client.hedges";
    /** Name of the client hedges-won counter. */
    public static final String CLIENT_HEDGES_WON = "pipeline.rpc.client.hedges.won";
    /** Name of the client hedges-denied counter. */
    public static final String CLIENT_HEDGES_DENIED = "pipeline.rpc.client.hedges.denied";
    /** Name of the client cancels-sent counter. */
    public static final String CLIENT_CANCELS = "pipeline.rpc.client.cancels";
    /** Name of the server cancels-received counter. */
    public static final String SERVER_CANCELS = "pipeline.rpc.server.cancels";
    /** Name of the server rejected input counter. */
    public static final String SERVER_REJECTED = "pipeline.rpc.server.rejected";
    /** Name of the server refused reply address counter. */
    public static final String SERVER_REFUSED_REPLY_ADDRESSES = "pipeline.rpc.server.refused.reply.addresses";
    /** Gauge of a server's health ({@link #registerHealth}): 1 up, 0.5 degraded, 0 down. */
    public static final String SERVER_HEALTH = "pipeline.rpc.server.health";
    /** Counter of requests answered from the dedup window ({@link RpcMetrics#deduplicated}). */
    public static final String SERVER_DEDUPLICATED = "pipeline.rpc.server.deduplicated";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Timer> clientCalls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Timer> serverRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Counter> timeouts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> lateReplies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Counter> rejected = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Counter> hedges = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Counter> refusedReplyAddresses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Counter> deduplicated = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Counter> cancelsReceived = new ConcurrentHashMap<>();

    /**
     * Records to {@code registry}; meters are registered as they are first used.
     *
     * @param registry the registry to record to
     */
    public MicrometerRpcMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void clientCall(String service, String method, String transport, String outcome, long nanos) {
        Key key = new Key(service, method, transport, outcome);
        Timer timer = clientCalls.get(key);
        if (timer == null) {
            timer = clientCalls.computeIfAbsent(key, k -> timer(CLIENT_CALLS, "Client calls by outcome", k));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void serverRequest(String service, String method, String transport, String outcome, long nanos) {
        Key key = new Key(service, method, transport, outcome);
        Timer timer = serverRequests.get(key);
        if (timer == null) {
            timer = serverRequests.computeIfAbsent(key, k -> timer(SERVER_REQUESTS, "Server requests by outcome", k));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void timeout(String service, String transport) {
        Key key = new Key(service, "", transport, "");
        Counter counter = timeouts.get(key);
        if (counter == null) {
            counter = timeouts.computeIfAbsent(key, k -> Counter.builder(CLIENT_TIMEOUTS)
                    .description("Client calls that got no reply within their timeout")
                    .tag("service", tag(k.service)).tag("transport", tag(k.transport)).register(registry));
        }
        counter.increment();
    }

    @Override
    public void lateReply(String transport) {
        String t = tag(transport);
        Counter counter = lateReplies.get(t);
        if (counter == null) {
            counter = lateReplies.computeIfAbsent(t, k -> Counter.builder(CLIENT_LATE_REPLIES)
                    .description("Replies dropped: no call pending under their id (timed out, cancelled, duplicate, forged)")
                    .tag("transport", k).register(registry));
        }
        counter.increment();
    }

    @Override
    public void hedgeSent(String service, String method, String transport) {
        hedgeCounter(service, method, transport, CLIENT_HEDGES, "Hedges sent: idempotent calls sent again").increment();
    }

    @Override
    public void hedgeWon(String service, String method, String transport) {
        hedgeCounter(service, method, transport, CLIENT_HEDGES_WON, "Hedged calls completed by a hedge's reply")
                .increment();
    }

    @Override
    public void hedgeDenied(String service, String method, String transport) {
        hedgeCounter(service, method, transport, CLIENT_HEDGES_DENIED, "Hedges not sent: the hedge budget was spent")
                .increment();
    }

    @Override
    public void cancelSent(String service, String method, String transport) {
        hedgeCounter(service, method, transport, CLIENT_CANCELS, "rpc.cancel notifications sent for cancelled calls")
                .increment();
    }

    @Override
    public void cancelReceived(String service, String transport) {
        Key key = new Key(service, "", transport, "");
        Counter counter = cancelsReceived.get(key);
        if (counter == null) {
            counter = cancelsReceived.computeIfAbsent(key, k -> Counter.builder(SERVER_CANCELS)
                    .description("rpc.cancel notifications received")
                    .tag("service", tag(k.service)).tag("transport", tag(k.transport)).register(registry));
        }
        counter.increment();
    }

    private Counter hedgeCounter(String service, String method, String transport, String name, String description) {
        Key key = new Key(service, method, transport, name);
        Counter counter = hedges.get(key);
        if (counter == null) {
            counter = hedges.computeIfAbsent(key, k -> Counter.builder(name).description(description)
                    .tag("service", tag(k.service)).tag("method", tag(k.method)).tag("transport", tag(k.transport))
                    .register(registry));
        }
        return counter;
    }

    @Override
    public void rejectedInput(String service, String transport, String reason) {
        Key key = new Key(service, "", transport, reason);
        Counter counter = rejected.get(key);
        if (counter == null) {
            counter = rejected.computeIfAbsent(key, k -> Counter.builder(SERVER_REJECTED)
                    .description("Server input rejected before dispatch")
                    .tag("service", tag(k.service)).tag("transport", tag(k.transport)).tag("reason", tag(k.outcome))
                    .register(registry));
        }
        counter.increment();
    }

    @Override
    public void refusedReplyAddress(String service, String transport) {
        Key key = new Key(service, "", transport, "");
        Counter counter = refusedReplyAddresses.get(key);
        if (counter == null) {
            counter = refusedReplyAddresses.computeIfAbsent(key, k -> Counter.builder(SERVER_REFUSED_REPLY_ADDRESSES)
                    .description("Requests dead-lettered because their reply address was refused")
                    .tag("service", tag(k.service)).tag("transport", tag(k.transport)).register(registry));
        }
        counter.increment();
    }

    /**
     * Registers a gauge {@value #SERVER_HEALTH} of {@code server}'s {@link RpcServer#health()} in {@code registry}:
     * 1 for {@code UP}, 0.5 for {@code DEGRADED}, 0 for {@code DOWN}, read when the registry is scraped (the reasons
     * are in {@code health()} itself). A readiness probe can alert on a value below 1, a liveness probe on 0.
     *
     * @param registry where the gauge goes
     * @param server   the server it reports; held weakly, as Micrometer holds gauge objects
     * @param name     a tag {@code server} telling several servers of one process apart
     */
    public static void registerHealth(MeterRegistry registry, RpcServer server, String name) {
        io.micrometer.core.instrument.Gauge.builder(SERVER_HEALTH, server, s -> switch (s.health().status()) {
                    case UP -> 1.0;
                    case DEGRADED -> 0.5;
                    case DOWN -> 0.0;
                })
                .description("Server health: 1 up, 0.5 degraded, 0 down")
                .tag("server", Objects.requireNonNull(name, "name"))
                .register(Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public void deduplicated(String service, String method, String transport) {
        Key key = new Key(service, method, transport, "");
        Counter counter = deduplicated.get(key);
        if (counter == null) {
            counter = deduplicated.computeIfAbsent(key, k -> Counter.builder(SERVER_DEDUPLICATED)
                    .description("Requests to idempotent methods answered from the dedup window")
                    .tag("service", tag(k.service)).tag("method", tag(k.method))
                    .tag("transport", tag(k.transport)).register(registry));
        }
        counter.increment();
    }

    private Timer timer(String name, String description, Key k) {
        return Timer.builder(name).description(description)
                .tag("service", tag(k.service)).tag("method", tag(k.method))
                .tag("transport", tag(k.transport)).tag("outcome", tag(k.outcome))
                .register(registry);
    }

    private static String tag(String value) {
        return value == null ? "none" : value;
    }

    @Override
    public String toString() {
        return "MicrometerRpcMetrics[" + registry.getClass().getSimpleName() + "]";
    }

    private record Key(String service, String method, String transport, String outcome) {
    }
}
