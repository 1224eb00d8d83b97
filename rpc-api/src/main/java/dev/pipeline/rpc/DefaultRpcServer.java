package dev.pipeline.rpc;

import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server: a registry of services, a dispatcher, a bounded pool of handler threads and one transport
 * subscription per service.
 *
 * <p>Handlers run on a plain fixed pool of {@link ServerConfig#concurrency()} daemon threads named
 * {@code pipeline-server-<n>-<i>} (a {@code ThreadPoolExecutor}; idle threads exit after 30 s), or on the
 * {@link ServerConfig#executor()} given (the transport's own thread with a direct executor). The pool's queue is
 * bounded upstream: the transport bounds the messages in flight per service ({@link ServerConfig#maxInFlight()}) and
 * stops fetching when they are all taken, and each message is at most {@link Limits#maxBatchSize()} requests. An
 * adaptive pool that woke only as many threads as there are cores, with a watchdog for blocked handlers, and ran a
 * lone request on the transport's thread, showed no gain beyond the noise in same-run A/B benchmarks
 * (docs/benchmarks.md).
 *
 * <p>Services and methods may be registered before or after {@link #start()}; a service registered after start is
 * subscribed at once. {@link #close()} stops the subscriptions (each finishing its in-flight messages within
 * {@link ServerConfig#shutdownGrace()}, one deadline shared by all), waits for the remaining work up to the same
 * deadline, then stops the threads and closes the transport; {@code dispatch} calls still pending then complete
 * exceptionally with {@link IllegalStateException}.
 */
final class DefaultRpcServer implements RpcServer {
    private static final Logger log = LoggerFactory.getLogger(DefaultRpcServer.class);
    private static final AtomicInteger SERVERS = new AtomicInteger();
    /** The transport tag of calls through {@link #dispatch}. */
    static final String DIRECT = "direct";

    private final Transport transport;
    private final ServerConfig config;
    private final String transportTag;
    private final ThreadPoolExecutor pool; // null when the config gives an executor
    private final Dispatcher dispatcher;
    private final Map<String, Map<String, RpcMethod>> services = new ConcurrentHashMap<>();
    /** What the dispatcher looks up: the services' methods and the built-in {@code rpc.} methods. */
    private final Map<String, Map<String, RpcMethod>> served = new ConcurrentHashMap<>();
    private final Introspection introspection;
    /** Calls cancelled by their callers ({@code rpc.cancel}) and those running now. */
    private final Cancellations cancellations = new Cancellations();
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    /** Messages handed to the dispatcher and not yet completed (counted before the hand-off, for rpc.stats). */
    private final AtomicInteger handling = new AtomicInteger();
    private final Object lock = new Object();
    private final Map<String, ServerChannel> channels = new LinkedHashMap<>(); // guarded by lock
    private boolean started; // guarded by lock
    private boolean closed; // guarded by lock
    private volatile boolean closing;
    /** Set once {@link #close()} spent its grace: what completes after is abandoned ({@link #shuttingDown()}). */
    private volatile boolean abandoning;

    /**
     * @param transport the transport to subscribe through; {@code null} for a server that only serves
     *                  {@link #dispatch} (tests, embedding): its {@link #start()} throws
     */
    DefaultRpcServer(Transport transport, ServerConfig config) {
        this.transport = transport;
        this.config = Objects.requireNonNull(config, "config");
        this.transportTag = transport == null ? DIRECT : transport.scheme();
        int id = SERVERS.incrementAndGet();
        this.pool = config.executor().isPresent() ? null : handlerPool("pipeline-server-" + id + "-",
                config.concurrency());
        this.introspection = new Introspection(transportTag, handling::get);
        this.dispatcher = new Dispatcher(config.limits(), transport == null ? Integer.MAX_VALUE
                : transport.capabilities().maxMessageBytes(), config.executor().orElse(pool),
                introspection.recording(config.metrics()), served::get, DedupWindow.of(config),
                Tracing.of(config.tracing(), transport), cancellations);
    }

    /**
     * The server's own pool: {@code threads} daemon threads at most, started as work arrives and ending after 30 s
     * idle, one unbounded queue (bounded by the transports' in-flight limits). A task that throws is logged; the
     * thread goes on.
     */
    static ThreadPoolExecutor handlerPool(String namePrefix, int threads) {
        AtomicInteger names = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread t = new Thread(task, namePrefix + names.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }) {
            @Override
            public void execute(Runnable task) {
                Objects.requireNonNull(task, "task");
                super.execute(() -> {
                    try {
                        task.run();
                    } catch (Throwable e) {
                        log.error("a handler task failed (a bug: tasks handle their own failures)", e);
                    }
                });
            }
        };
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A server without a transport: only {@link #dispatch} serves requests. */
    static DefaultRpcServer dispatchOnly(ServerConfig config) {
        return new DefaultRpcServer(null, config);
    }

    @Override
    public RpcServer expose(String service, Object target) {
        MethodTables.checkServiceName(service);
        register(service, MethodTables.ofObject(service, target, false));
        return this;
    }

    @Override
    public RpcServer exposeInherited(String service, Object target) {
        MethodTables.checkServiceName(service);
        register(service, MethodTables.ofObject(service, target, true));
        return this;
    }

    @Override
    public <T> RpcServer expose(String service, Class<T> iface, T target) {
        MethodTables.checkServiceName(service);
        register(service, MethodTables.ofInterface(service, iface, target));
        return this;
    }

    @Override
    public RpcServer handle(String service, String method, MethodHandler handler) {
        MethodTables.checkServiceName(service);
        MethodTables.checkMethodName(service, method);
        Objects.requireNonNull(handler, "handler");
        register(service, Map.of(method, new HandlerMethod(method, handler)));
        return this;
    }

    private void register(String service, Map<String, RpcMethod> added) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("server is closed: cannot register service '" + service + "'");
            }
            Map<String, RpcMethod> existing = services.get(service);
            Map<String, RpcMethod> merged = new HashMap<>();
            if (existing != null) {
                for (String name : new TreeSet<>(added.keySet())) {
                    if (existing.containsKey(name)) {
                        throw new IllegalArgumentException("method '" + name + "' of service '" + service
                                + "' is already registered");
                    }
                }
                merged.putAll(existing);
            }
            merged.putAll(added);
            services.put(service, Map.copyOf(merged));
            served.put(service, introspection.withBuiltins(service, services.get(service)));
            if (started && existing == null) {
                try {
                    channels.put(service, openChannel(service));
                } catch (RuntimeException e) {
                    services.remove(service);
                    served.remove(service);
                    throw e;
                }
            }
        }
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("server is closed");
            }
            if (started) {
                throw new IllegalStateException("server already started");
            }
            if (transport == null) {
                throw new IllegalStateException("this server has no transport: it only serves dispatch()");
            }
            List<String> names = new ArrayList<>(new TreeSet<>(services.keySet()));
            try {
                for (String service : names) {
                    channels.put(service, openChannel(service));
                }
            } catch (RuntimeException e) {
                channels.values().forEach(c -> closeQuietly(c, Duration.ZERO));
                channels.clear();
                throw e;
            }
            started = true;
            log.info("serving {} through {}", names, transport.scheme());
        }
    }

    private ServerChannel openChannel(String service) {
        RequestHandler handler = new RequestHandler() {
            @Override
            public CompletionStage<HandlerOutcome> handle(IncomingRequest request) {
                return DefaultRpcServer.this.handle(service, request);
            }

            @Override
            public void replyAddressRefused() {
                try {
                    config.metrics().refusedReplyAddress(service, transportTag);
                } catch (RuntimeException e) { // a broken metrics implementation must not reach the transport
                    log.debug("metrics failed to record a refused reply address: {}", e.toString());
                }
            }
        };
        ServerChannel channel = transport.openServer(service,
                new ServerSettings(config.maxInFlight(), config.shutdownGrace(), config.maxInFlightBytes()), handler);
        try {
            channel.start();
        } catch (RuntimeException e) {
            closeQuietly(channel, Duration.ZERO);
            throw e;
        }
        return channel;
    }

    /**
     * The transport's entry point. Never throws; the stage never completes exceptionally. The deadline is checked
     * here and again when a handler thread takes the message up: work is never started after it.
     */
    private CompletionStage<HandlerOutcome> handle(String service, IncomingRequest request) {
        long now = System.currentTimeMillis();
        if (request.invalidDeadline(now)) {
            config.metrics().rejectedInput(services.containsKey(service) ? service : Dispatcher.UNKNOWN,
                    transportTag, "invalid-deadline");
            log.debug("service {}: refused a request with an invalid rpc-deadline (rpc-id {})", service,
                    request.correlationId() == null ? null : RpcMethod.clip(request.correlationId()));
            return CompletableFuture.completedFuture(new HandlerOutcome(JsonOutput.toBytes(Messages.failure(null,
                    ErrorCodes.INVALID_REQUEST, "Invalid Request: " + IncomingRequest.INVALID_DEADLINE_REASON, null)),
                    IncomingRequest.INVALID_DEADLINE_REASON));
        }
        if (request.expired(now)) {
            config.metrics().rejectedInput(services.containsKey(service) ? service : Dispatcher.UNKNOWN,
                    transportTag, "expired");
            log.debug("service {}: skipped a request whose deadline {} has passed (rpc-id {})", service,
                    request.deadlineEpochMillis(), request.correlationId());
            return CompletableFuture.completedFuture(HandlerOutcome.none());
        }
        if (cancellations.handled(request)) { // rpc.cancel: applied here, not queued behind the calls it cancels
            config.metrics().cancelReceived(services.containsKey(service) ? service : Dispatcher.UNKNOWN, transportTag);
            return CompletableFuture.completedFuture(HandlerOutcome.none());
        }
        CompletableFuture<Dispatcher.Outcome> outcome;
        handling.incrementAndGet();
        try {
            outcome = track(dispatcher.dispatch(service, request.body(), transportTag, request.deadlineEpochMillis(),
                    request));
        } catch (RejectedExecutionException e) {
            handling.decrementAndGet();
            return shuttingDown();
        }
        outcome.whenComplete((o, e) -> handling.decrementAndGet());
        return outcome.handle((o, error) -> {
            if (error != null) {
                return null;
            }
            if (o.reply() == null && o.deadLetterReason() == null) {
                return HandlerOutcome.none();
            }
            return new HandlerOutcome(o.reply(), o.deadLetterReason());
        }).thenCompose(h -> h != null && !(abandoning && redelivers()) ? CompletableFuture.completedFuture(h)
                : shuttingDown());
    }

    /**
     * The outcome of a message the server closed before handling (its grace spent), or that a given executor
     * rejected; also of any message whose handling ends after the grace (a handler interrupted by the close ends in
     * an error that is not the caller's). While the server closes, a transport that redelivers
     * after a crash gets a stage that never completes: the message is neither answered nor acknowledged, so another
     * instance runs it (an error reply would complete the call first). Any other transport answers -32603.
     */
    private boolean redelivers() {
        return transport != null && transport.capabilities().has(dev.pipeline.rpc.spi.Capability.REDELIVERY_AFTER_CRASH);
    }

    private CompletableFuture<HandlerOutcome> shuttingDown() {
        if (closing && redelivers()) {
            return new CompletableFuture<>();
        }
        return CompletableFuture.completedFuture(HandlerOutcome.reply(JsonOutput.toBytes(Messages.failure(null,
                ErrorCodes.INTERNAL_ERROR, "Internal error: the server closed before handling the message", null))));
    }

    @Override
    public CompletableFuture<Optional<byte[]>> dispatch(String service, byte[] message) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(message, "message");
        if (closing) {
            return CompletableFuture.failedFuture(new IllegalStateException("server is closed"));
        }
        CompletableFuture<Dispatcher.Outcome> outcome;
        handling.incrementAndGet();
        try {
            outcome = track(dispatcher.dispatch(service, message, DIRECT));
        } catch (RejectedExecutionException e) {
            handling.decrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("server is closed"));
        }
        outcome.whenComplete((o, e) -> handling.decrementAndGet());
        return outcome.thenApply(o -> Optional.ofNullable(o.reply()));
    }

    private <T> CompletableFuture<T> track(CompletableFuture<T> future) {
        pending.add(future);
        future.whenComplete((r, e) -> pending.remove(future));
        return future;
    }

    @Override
    public Health health() {
        Map<String, ServerChannel> now;
        synchronized (lock) {
            if (closed) {
                return Health.down("the server is closed");
            }
            if (!started) {
                return Health.down("the server is not started");
            }
            now = new LinkedHashMap<>(channels);
        }
        List<Health> parts = new ArrayList<>(now.size());
        for (Map.Entry<String, ServerChannel> e : now.entrySet()) {
            Health h;
            try {
                h = e.getValue().health();
            } catch (RuntimeException ex) {
                h = Health.degraded("health unknown: " + ex);
            }
            if (!h.isUp()) {
                List<String> named = new ArrayList<>(h.reasons().size());
                for (String reason : h.reasons()) {
                    named.add("service '" + e.getKey() + "': " + reason);
                }
                h = Health.of(h.status(), named);
            }
            parts.add(h);
        }
        if (pool != null && pool.getActiveCount() >= pool.getMaximumPoolSize() && !pool.getQueue().isEmpty()) {
            parts.add(Health.degraded("handler pool saturated: all " + pool.getMaximumPoolSize()
                    + " threads busy, " + pool.getQueue().size() + " requests queued"));
        }
        return Health.combine(parts);
    }

    @Override
    public void close() {
        List<ServerChannel> toClose;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closing = true;
            toClose = new ArrayList<>(channels.values());
            channels.clear();
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (ServerChannel channel : toClose) {
            closeQuietly(channel, remaining(deadline));
        }
        awaitPending(deadline);
        abandoning = true;
        if (pool != null) {
            pool.shutdown();
            try {
                if (!pool.awaitTermination(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS)) {
                    pool.shutdownNow();
                }
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        int abandoned = 0;
        for (CompletableFuture<?> future : pending) {
            if (future.completeExceptionally(
                    new IllegalStateException("server closed before the message was handled"))) {
                abandoned++;
            }
        }
        if (abandoned > 0) {
            log.warn("closed with {} messages still being handled after the grace period of {}", abandoned,
                    config.shutdownGrace());
        }
        if (transport != null) {
            try {
                transport.close();
            } catch (RuntimeException e) {
                log.warn("closing the {} transport failed", transport.scheme(), e);
            }
        }
    }

    private void awaitPending(long deadline) {
        CompletableFuture<?>[] inFlight = pending.toArray(new CompletableFuture<?>[0]);
        if (inFlight.length == 0) {
            return;
        }
        try {
            CompletableFuture.allOf(inFlight).get(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported below as abandoned
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private static void closeQuietly(ServerChannel channel, Duration grace) {
        try {
            channel.close(grace);
        } catch (RuntimeException e) {
            log.warn("closing a server channel failed", e);
        }
    }
}
