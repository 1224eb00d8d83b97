package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.json.Codec;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonInputException;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Reply;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Type;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * The state one client shares with its views: the channel, the pending calls, the id counter and the timeout timer.
 *
 * <p>Exactly-once completion: every in-flight message (a call or a batch) is one {@link Pending} in
 * {@link #pending}, keyed by its correlation id. Whoever removes it from the map (the reply, its timeout, a send
 * failure, {@link #close()}, or the caller cancelling the future) completes it; everyone else finds it gone. Removal
 * also disarms its timeout (the {@link TimeoutSweeper} only sees calls in the map) and frees the in-flight slots.
 *
 * <p>Threads: one daemon timer thread per client (created on the first timeout armed), shut down on close. Replies are
 * parsed on the transport's thread when small; replies over {@link #INLINE_PARSE_BYTES} are parsed on the common
 * fork-join pool so a large reply never holds up the transport's I/O thread. Futures complete on the thread that
 * settles them (a transport thread, the timer thread, the thread calling {@code close()}, or a thread blocked in a
 * call that reads the replies itself: {@link #help}, {@link ClientChannel#awaitReply}).
 */
final class ClientCore implements ReplyListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCore.class);
    /** Replies up to this size are parsed on the transport's thread (a few microseconds at most). */
    static final int INLINE_PARSE_BYTES = 64 * 1024;
    /** Prefix of the names of every thread a client starts. */
    static final String THREAD_PREFIX = "pipeline-rpc-client-";

    private final Transport transport;
    private final String transportName;
    private final ClientConfig config;
    private final RpcMetrics metrics;
    private final int maxMessageBytes;
    private final int maxInFlight;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    /** JSON-RPC ids of the bodies: sequential, they only pair responses with calls inside one message. */
    private final AtomicLong ids = new AtomicLong();
    /** Source of the correlation ids ({@link #newCorrelationId}). */
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final TimeoutSweeper timer;
    private final HedgePolicy hedging;
    /** Recent reply times by service, for the hedge delay (only while hedging is enabled). */
    private final ConcurrentHashMap<String, ReplyTimes> replyTimes = new ConcurrentHashMap<>();
    private final HedgeBudget budget;
    /** Whether a service has a server, per service; null when {@link ClientConfig#failWithoutServer()} is off. */
    private final ServerChecks servers;
    /** Spans and trace context of the calls; null when tracing is disabled. */
    private final Tracing tracing;
    private volatile boolean closed;
    private volatile ClientChannel channel;

    private ClientCore(Transport transport, ClientConfig config) {
        this.transport = transport;
        this.transportName = transport.scheme();
        this.config = config;
        this.metrics = config.metrics();
        this.maxMessageBytes = transport.capabilities().maxMessageBytes();
        this.maxInFlight = config.maxInFlight();
        this.hedging = config.hedging();
        this.budget = new HedgeBudget(hedging.budget());
        this.servers = config.failWithoutServer() ? new ServerChecks(s -> channel.noServer(s)) : null;
        this.tracing = Tracing.of(config.tracing(), transport);
        this.timer = new TimeoutSweeper(THREAD_PREFIX + "timer-" + config.clientId(), pending.values(),
                this::onTimeout, this::onHedge);
    }

    static ClientCore open(Transport transport, ClientConfig config) {
        ClientCore core = new ClientCore(transport, config);
        try {
            core.channel = transport.openClient(DefaultRpcClient.settings(config), core);
        } catch (RuntimeException e) {
            core.releaseQuietly();
            throw e;
        }
        Duration wait = config.readyTimeout();
        try {
            core.channel.ready().get(DefaultRpcClient.saturatedNanos(wait), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            core.releaseQuietly();
            throw new RpcException(ErrorCodes.TRANSPORT_ERROR, "interrupted while waiting for the " + core.transportName
                    + " transport to become ready", null, e);
        } catch (TimeoutException e) {
            core.releaseQuietly();
            throw new RpcException(ErrorCodes.TRANSPORT_ERROR, "the " + core.transportName
                    + " transport was not ready to receive replies within " + Durations.human(wait)
                    + " (is the broker reachable?)", null, e);
        } catch (ExecutionException e) {
            core.releaseQuietly();
            throw new RpcException(ErrorCodes.TRANSPORT_ERROR, "the " + core.transportName
                    + " transport could not become ready: " + oneLine(e.getCause()), null, e.getCause());
        }
        LOG.debug("client {} ready on {}", config.clientId(), core.transportName);
        return core;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /** Bytes of randomness in a correlation id. */
    static final int CORRELATION_ID_BYTES = 16;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /**
     * A correlation id ({@link dev.pipeline.rpc.spi.WireHeaders#RPC_ID}) for one call or batch: 128 bits from this
     * client's {@link SecureRandom} (on Linux NativePRNG, which reads the non-blocking /dev/urandom), as 22
     * base64url characters. Whoever can write to the client's reply destination but did not see the request cannot
     * guess it, so cannot complete the call with a reply of their own: a reply whose id matches no pending call is
     * dropped ({@link #onReply}). About 0.2 to 0.4 microseconds per id, against 20 to 90 ns for a sequential counter,
     * on a path that costs tens of microseconds at least.
     */
    String newCorrelationId() {
        byte[] bytes = new byte[CORRELATION_ID_BYTES];
        random.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }

    long readyTimeoutNanos() {
        return DefaultRpcClient.saturatedNanos(config.readyTimeout());
    }

    String describe() {
        return transportName + ", client " + config.clientId() + (closed ? ", closed" : "");
    }

    /** The number of messages awaiting a reply (for tests). */
    int pendingCount() {
        return pending.size();
    }

    // ---------------------------------------------------------------- sending

    <T> CompletableFuture<T> call(String service, String method, Type resultType, Supplier<JsonElement> params,
                                  Duration timeout, long timeoutNanos, boolean idempotent) {
        return this.<T>start(service, method, resultType, params, timeout, timeoutNanos, false, idempotent).future();
    }

    /**
     * Starts a call. {@code awaited}: the calling thread blocks on it next and calls {@link #help} first (the request
     * goes through {@link ClientChannel#sendAwaited}). {@code idempotent}: the method was declared
     * {@link Idempotent}, so the call may be hedged ({@link #onHedge}).
     */
    @SuppressWarnings("unchecked")
    <T> Started<T> start(String service, String method, Type resultType, Supplier<JsonElement> params,
                         Duration timeout, long timeoutNanos, boolean awaited, boolean idempotent) {
        JsonElement paramsJson = params.get(); // encoding errors are the caller's: thrown before anything happens
        long id = nextId();
        Entry entry = new Entry(id, service, method, resultType);
        entry.startNanos = System.nanoTime();
        CompletableFuture<T> future = (CompletableFuture<T>) entry.future;
        if (closed) {
            fail(entry, closedError(service, method), RpcMetrics.CLOSED);
            return new Started<>(future, null);
        }
        if (!admit(1)) {
            fail(entry, overloaded(1), RpcMetrics.ERROR);
            return new Started<>(future, null);
        }
        byte[] body;
        try {
            body = JsonOutput.request(new JsonPrimitive(id), method, paramsJson);
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw new IllegalArgumentException("cannot encode the params of " + service + "." + method + ": "
                    + oneLine(e), e);
        }
        if (body.length > maxMessageBytes) {
            inFlight.decrementAndGet();
            fail(entry, tooLarge(body.length), RpcMetrics.ERROR);
            return new Started<>(future, null);
        }
        PendingCall p = new PendingCall(newCorrelationId(), entry);
        p.idempotent = idempotent;
        if (tracing != null) {
            TraceHooks.ClientSpan span = tracing.call(service, method, id);
            entry.span = span;
            p.trace = span == null ? null : span.context();
        }
        if (hedging.enabled()) {
            p.times = replyTimes(service);
            if (idempotent) {
                p.hedge = new Hedge(paramsJson, hedging.maxHedges());
                budget.deposit();
            }
        }
        pending.put(p.correlationId, p);
        // the caller may settle the future itself (cancel, or the sync wait's safety net): release the call then,
        // and tell the server when the caller cancelled a call that was sent
        entry.future.whenComplete((r, x) -> {
            if (take(p) && x instanceof java.util.concurrent.CancellationException) {
                p.sentStage.thenRun(() -> sendCancel(p));
            }
            endSpan(entry, x); // cancelled by the caller; otherwise ended already
        });
        send(p, service, body, timeout, timeoutNanos, awaited);
        return new Started<>(future, awaited ? p.correlationId : null);
    }

    /**
     * A started call: its future, and the correlation id its caller passes to {@link #help} when the call was
     * started awaited and sent (else null).
     */
    record Started<T>(CompletableFuture<T> future, String awaitedId) {
    }

    /**
     * On the thread that started {@code call} awaited, before it blocks on the future: lets the transport read the
     * replies on this thread until the call is settled or {@code timeoutNanos} passed
     * ({@link ClientChannel#awaitReply}). Returns at once when the transport cannot.
     */
    void help(Started<?> call, long timeoutNanos) {
        if (call.awaitedId() == null || call.future().isDone()) {
            return;
        }
        long deadline = TimeoutSweeper.deadline(System.nanoTime(), timeoutNanos);
        try {
            channel.awaitReply(call.awaitedId(), call.future()::isDone, deadline);
        } catch (RuntimeException e) {
            LOG.debug("the {} transport could not read replies on the caller's thread: {}", transportName,
                    e.toString());
        }
    }

    /**
     * Sends the {@code rpc.cancel} notification of a cancelled call, through {@link ClientChannel#sendCancel}: best
     * effort, a failure is only logged.
     */
    private void sendCancel(PendingCall p) {
        if (closed) {
            return;
        }
        JsonObject params = new JsonObject();
        params.addProperty("id", p.correlationId);
        CompletableFuture<Void> sent;
        try {
            sent = channel.sendCancel(p.service, p.correlationId, DefaultRpcClient.outgoing(JsonOutput.request(null,
                    Cancellations.METHOD, params), null, 0));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((v, x) -> {
            if (x != null) {
                LOG.debug("the cancel of {}.{} was not sent through {}: {}", p.service, p.entry.method,
                        transportName, oneLine(x));
            } else {
                metrics.cancelSent(p.service, p.entry.method, transportName);
            }
        });
    }

    CompletableFuture<Void> notification(String service, String method, JsonElement params, Duration timeout) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError(service, method));
        }
        byte[] body = JsonOutput.request(null, method, params);
        if (body.length > maxMessageBytes) {
            return CompletableFuture.failedFuture(tooLarge(body.length));
        }
        return sendUnanswered(service, method, body);
    }

    CompletableFuture<Void> sendBatch(String service, JsonArray messages, List<Entry> entries, Duration timeout,
                                      long timeoutNanos) {
        long now = System.nanoTime();
        entries.forEach(e -> e.startNanos = now);
        if (closed) {
            RpcException error = closedError(service, "batch");
            entries.forEach(e -> fail(e, error, RpcMetrics.CLOSED));
            return CompletableFuture.failedFuture(error);
        }
        byte[] body = DefaultRpcClient.encode(messages);
        if (body.length > maxMessageBytes) {
            RpcException error = tooLarge(body.length);
            entries.forEach(e -> fail(e, error, RpcMetrics.ERROR));
            return CompletableFuture.failedFuture(error);
        }
        if (entries.isEmpty()) {
            return sendUnanswered(service, "batch", body);
        }
        if (!admit(entries.size())) {
            RpcException error = overloaded(entries.size());
            entries.forEach(e -> fail(e, error, RpcMetrics.ERROR));
            return CompletableFuture.failedFuture(error);
        }
        PendingBatch p = new PendingBatch(newCorrelationId(), service, entries);
        p.trace = tracing == null ? null : tracing.current();
        pending.put(p.correlationId, p);
        return send(p, service, body, timeout, timeoutNanos, false);
    }

    private CompletableFuture<Void> sendUnanswered(String service, String what, byte[] body) {
        CompletableFuture<Void> sent;
        try {
            sent = channel.send(service, outgoing(body, null, 0, tracing == null ? null : tracing.current()));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((v, x) -> {
            if (x == null) {
                return null;
            }
            throw new CompletionException(sendError(service, what, x));
        });
    }

    private CompletableFuture<Void> send(Pending p, String service, byte[] body, Duration timeout,
                                         long timeoutNanos, boolean awaited) {
        if (closed) { // close() may have drained the map before our put
            if (take(p)) {
                p.fail(this, closedError(service, p.what()), RpcMetrics.CLOSED);
            }
            return CompletableFuture.failedFuture(closedError(service, p.what()));
        }
        long nowMillis = System.currentTimeMillis();
        RpcContext outer = RpcContext.CURRENT.get();
        long outerDeadline = outer == null ? 0 : outer.deadlineEpochMillis();
        if (outerDeadline > 0 && outerDeadline - nowMillis < timeout.toMillis()) {
            // made from a handler: never outlives the call it serves
            timeout = Duration.ofMillis(Math.max(1, outerDeadline - nowMillis));
            timeoutNanos = timeout.toNanos();
        }
        // a timeout beyond what servers accept as a deadline is sent without one
        long deadline = timeout.toMillis() > IncomingRequest.MAX_DEADLINE_AHEAD_MILLIS ? 0
                : DefaultRpcClient.saturatedAdd(nowMillis, timeout.toMillis());
        if (outerDeadline > 0) {
            deadline = deadline == 0 ? outerDeadline : Math.min(deadline, outerDeadline);
        }
        if (p instanceof PendingCall c && c.hedge != null) {
            c.hedge.deadlineEpochMillis = deadline;
        }
        // the clock starts with the send, as the deadline the request carries does: a broker that is down and a
        // producer that holds the send (Kafka: up to delivery.timeout.ms, 120 s) never make a call outlast it
        armTimeout(p, timeout, timeoutNanos);
        if (p.done) { // the client closed meanwhile: failed once already
            return CompletableFuture.failedFuture(closedError(service, p.what()));
        }
        CompletableFuture<String> served = servers == null ? ServerChecks.SEND : servers.check(service, p.sentNanos);
        CompletableFuture<Void> sent;
        // the call's span is current while the transport takes the request (an agent's producer span is its child)
        TraceHooks.Scope scope = p instanceof PendingCall c && c.entry.span != null
                ? Tracing.makeCurrent(c.entry.span) : TraceHooks.Scope.NONE;
        OutgoingRequest request = outgoing(body, p.correlationId, deadline, p.trace);
        try {
            if (served == ServerChecks.SEND) { // the hot path: a service known to be served
                sent = awaited ? channel.sendAwaited(service, request) : channel.send(service, request);
            } else { // sent from the query's thread, so not awaited: no thread reads the reply for it
                sent = served.thenCompose(noServer -> noServer != null
                        ? CompletableFuture.failedFuture(new RpcException(ErrorCodes.NO_SERVER, noServer))
                        : channel.send(service, request));
            }
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        } finally {
            scope.close();
        }
        return sent.handle((v, x) -> {
            if (x == null) {
                accepted(p);
            } else {
                RpcException error = sendFailed(p, service, request, x);
                if (error == null) {
                    return null; // tried again later
                }
                throw new CompletionException(error);
            }
            return null;
        });
    }

    /** Notes that the broker accepted the first attempt of {@code p}: its timeout says so, and a cancel may follow. */
    private static void accepted(Pending p) {
        p.accepted = true;
        if (p instanceof PendingCall c) {
            c.sentStage.complete(null);
        }
    }

    /** Tries of an idempotent call's send that fails, after the first, 100 ms apart and doubling (0.7 s in all). */
    static final int SEND_RETRIES = 3;

    /**
     * After {@code request} of {@code p} could not be sent: fails the call with the error it returns, or, for a call
     * declared idempotent with tries left and time before its deadline, sends it again after a back-off under the
     * same correlation id and returns null. A transport's send failure (the broker unreachable for a moment, a
     * connection being re-established) is often gone a moment later; a non-idempotent call is never sent twice.
     */
    private RpcException sendFailed(Pending p, String service, OutgoingRequest request, Throwable x) {
        Throwable cause = x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
        RpcException error = cause instanceof RpcException r && r.code() == ErrorCodes.NO_SERVER && !closed
                ? r : sendError(service, p.what(), x);
        if (p instanceof PendingCall c && c.idempotent && error.code() == ErrorCodes.TRANSPORT_ERROR && !closed
                && !p.done && c.sendRetries < SEND_RETRIES) {
            long backoffMillis = 100L << c.sendRetries;
            if (p.deadlineNanos == TimeoutSweeper.NONE
                    || p.deadlineNanos - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(backoffMillis)) {
                c.sendRetries++;
                LOG.debug("sending {}.{} again in {} ms: {}", service, p.what(), backoffMillis, oneLine(cause));
                CompletableFuture.delayedExecutor(backoffMillis, TimeUnit.MILLISECONDS).execute(() -> {
                    if (p.done || closed) {
                        return;
                    }
                    CompletableFuture<Void> again;
                    try {
                        again = channel.send(service, request);
                    } catch (RuntimeException e) {
                        again = CompletableFuture.failedFuture(e);
                    }
                    again.whenComplete((ok, failure) -> {
                        if (failure == null) {
                            accepted(p);
                        } else {
                            sendFailed(p, service, request, failure);
                        }
                    });
                });
                return null;
            }
        }
        if (take(p)) {
            p.fail(this, error, closed ? RpcMetrics.CLOSED : RpcMetrics.ERROR);
        }
        return error;
    }

    /** Starts the call's timeout clock (and its hedge's), as the request is handed to the transport. */
    private void armTimeout(Pending p, Duration timeout, long timeoutNanos) {
        if (p.done) {
            return; // completed already (closed, or failed before the send)
        }
        p.timeout = timeout;
        long now = System.nanoTime();
        p.sentNanos = now;
        long deadline = TimeoutSweeper.deadline(now, timeoutNanos);
        long wake = deadline;
        if (p instanceof PendingCall c && c.hedge != null) {
            long delay = c.times.delayNanos(now, hedging);
            c.hedge.delayNanos = delay;
            long at = hedgeTime(now + delay, deadline);
            p.hedgeAtNanos = at; // before the deadline: the sweeper reads the deadline first
            if (at != TimeoutSweeper.NONE) {
                wake = at;
            }
        }
        p.deadlineNanos = deadline;
        if (!timer.armed(wake) && take(p)) { // the client is closing
            p.fail(this, closedError(p.service, p.what()), RpcMetrics.CLOSED);
        }
    }

    /** {@code at} as a hedge time, or none when it is not before the call's deadline. */
    private static long hedgeTime(long at, long deadlineNanos) {
        if (at - deadlineNanos >= 0) {
            return TimeoutSweeper.NONE;
        }
        return at == TimeoutSweeper.NONE ? 1 : at;
    }

    private ReplyTimes replyTimes(String service) {
        ReplyTimes t = replyTimes.get(service);
        return t != null ? t : replyTimes.computeIfAbsent(service, s -> new ReplyTimes());
    }

    /**
     * On the timer thread, when a hedged call's hedge time came without a reply: sends the call again under the same
     * correlation id, with a JSON-RPC id of its own (so the reply tells which attempt answered), the same deadline,
     * and {@link OutgoingRequest#attempt()} telling the transport to send it elsewhere. Sets the next hedge time, or
     * none after the last hedge, past the call's deadline, or when the budget is spent. A hedge the transport cannot
     * send is only logged: the call still waits for its earlier attempts.
     */
    private void onHedge(Pending p) {
        if (!(p instanceof PendingCall c) || c.hedge == null || p.done || closed) {
            p.hedgeAtNanos = TimeoutSweeper.NONE;
            return;
        }
        Hedge h = c.hedge;
        int attempt = h.sent + 1;
        long now = System.nanoTime();
        if (attempt > h.ids.length || now - p.deadlineNanos >= 0) {
            p.hedgeAtNanos = TimeoutSweeper.NONE;
            return;
        }
        if (!budget.take()) {
            p.hedgeAtNanos = TimeoutSweeper.NONE;
            metrics.hedgeDenied(p.service, c.entry.method, transportName);
            LOG.debug("not hedging {}.{}: the hedge budget is spent", p.service, c.entry.method);
            return;
        }
        p.hedgeAtNanos = attempt < h.ids.length ? hedgeTime(now + h.delayNanos, p.deadlineNanos)
                : TimeoutSweeper.NONE;
        long id = nextId();
        byte[] body;
        try {
            body = JsonOutput.request(new JsonPrimitive(id), c.entry.method, h.params);
        } catch (RuntimeException e) { // the first attempt encoded the same params
            p.hedgeAtNanos = TimeoutSweeper.NONE;
            return;
        }
        h.ids[attempt - 1] = id;
        h.sentNanos[attempt - 1] = now;
        h.sent = attempt; // publishes the id to the reply's thread
        metrics.hedgeSent(p.service, c.entry.method, transportName);
        CompletableFuture<Void> sent;
        try {
            TraceHooks.TraceContext trace = p.trace;
            sent = channel.send(p.service, new OutgoingRequest(body, p.correlationId, h.deadlineEpochMillis,
                    trace == null ? null : trace.traceparent(), trace == null ? null : trace.tracestate(), attempt));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((v, x) -> {
            if (x == null) {
                p.accepted = true;
            } else {
                LOG.debug("hedge {} of {}.{} not sent through {}: {}", attempt, p.service, c.entry.method,
                        transportName, oneLine(x));
            }
        });
    }

    private void onTimeout(Pending p) {
        Duration timeout = p.timeout;
        if (take(p)) {
            metrics.timeout(p.service, transportName);
            boolean accepted = p.accepted;
            p.fail(this, new RpcTimeoutException("no reply from " + p.service + "." + p.what() + " within "
                    + Durations.human(timeout) + (accepted ? "" : " (the " + transportName
                    + " broker had not accepted the request by then: it is down, restarting, unreachable or slow)"),
                    accepted), RpcMetrics.TIMEOUT);
        }
    }

    // ---------------------------------------------------------------- replies

    /** Completions held back while one {@link #onReplies} burst is read (on the transport's thread). */
    private static final ThreadLocal<ArrayList<Runnable>> BURST = new ThreadLocal<>();

    @Override
    public void onReplies(List<Reply> replies) {
        if (replies.size() == 1) {
            onReply(replies.get(0).correlationId(), replies.get(0).body());
            return;
        }
        ArrayList<Runnable> burst = new ArrayList<>(replies.size());
        BURST.set(burst);
        try {
            for (Reply r : replies) {
                onReply(r.correlationId(), r.body());
            }
        } finally {
            BURST.remove();
            for (Runnable completion : burst) {
                completion.run();
            }
        }
    }

    /** Completes now, or at the end of the current {@link #onReplies} burst on this thread. */
    private static void release(Runnable completion) {
        ArrayList<Runnable> burst = BURST.get();
        if (burst != null) {
            burst.add(completion);
        } else {
            completion.run();
        }
    }

    @Override
    public void onReply(String correlationId, byte[] body) {
        Pending p = correlationId == null ? null : pending.get(correlationId);
        if (p == null || !take(p)) {
            // late (timed out, cancelled), a duplicate, or forged: a guessed id matches nothing pending
            metrics.lateReply(transportName);
            if (LOG.isDebugEnabled()) {
                LOG.debug("dropped a reply with rpc-id {}: no call pending (timed out, cancelled, duplicate or"
                        + " forged)", correlationId == null ? null : RpcMethod.clip(correlationId));
            }
            return;
        }
        if (body == null) {
            p.fail(this, new RpcException(ErrorCodes.INTERNAL_ERROR, "empty reply from " + p.service + "."
                    + p.what()), RpcMetrics.ERROR);
        } else if (body.length <= INLINE_PARSE_BYTES) {
            settle(p, body);
        } else {
            try {
                ForkJoinPool.commonPool().execute(() -> settle(p, body));
            } catch (RejectedExecutionException e) {
                settle(p, body);
            }
        }
    }

    private void settle(Pending p, byte[] body) {
        try {
            p.complete(this, body);
        } catch (RpcException e) {
            p.fail(this, e, RpcMetrics.ERROR);
        } catch (RuntimeException | StackOverflowError e) {
            p.fail(this, new RpcException(ErrorCodes.INTERNAL_ERROR, "cannot read the reply from " + p.service
                    + "." + p.what() + ": " + oneLine(e), null, e), RpcMetrics.ERROR);
        }
    }

    JsonElement parseReply(Pending p, byte[] body) {
        try {
            return JsonInput.parse(body, config.limits());
        } catch (JsonInputException e) {
            throw new RpcException(ErrorCodes.INTERNAL_ERROR, "unreadable reply from " + p.service + "." + p.what()
                    + ": " + e.getMessage());
        }
    }

    /** Completes a call from its response. */
    void complete(Entry entry, Messages.Response response) {
        if (response.isError()) {
            Messages.ErrorObject error = response.error();
            entry.replied = true;
            fail(entry, new RpcException(error.code(), error.message(), error.data()), RpcMetrics.ERROR);
            return;
        }
        Object value;
        try {
            value = Codec.fromJson(response.result(), entry.resultType);
        } catch (IllegalArgumentException e) {
            fail(entry, new RpcException(ErrorCodes.INTERNAL_ERROR, "the result of " + entry.service + "."
                    + entry.method + ": " + e.getMessage() + " (the call asked for "
                    + simpleTypeName(entry.resultType) + ")", null, e), RpcMetrics.ERROR);
            return;
        }
        // recorded before completing, so a caller that sees the result also sees the metric
        if (!entry.future.isDone()) {
            endSpan(entry, null);
            record(entry, RpcMetrics.OK);
            release(() -> entry.future.complete(value));
        }
    }

    /** {@code List<String>} for {@code java.util.List<java.lang.String>}: a type as its source code names it. */
    static String simpleTypeName(java.lang.reflect.Type type) {
        return type.getTypeName().replaceAll("\\b(?:[a-z_][A-Za-z0-9_]*\\.)+", "").replace('$', '.');
    }

    void fail(Entry entry, RpcException error, String outcome) {
        if (!entry.future.isDone()) {
            endSpan(entry, error);
            record(entry, outcome);
            release(() -> entry.future.completeExceptionally(error));
        }
    }

    /**
     * Records a call's outcome. A metrics implementation that throws (even an {@code OutOfMemoryError}) never keeps
     * the caller from its completion: the call was already taken from the pending ones, so nothing else would
     * complete it. The failure is logged at ERROR.
     */
    private void record(Entry entry, String outcome) {
        try {
            metrics.clientCall(entry.service, entry.method, transportName, outcome, elapsed(entry));
        } catch (RuntimeException | Error e) {
            LOG.error("the metrics' clientCall failed for {}.{} (the call completes anyway): {}", entry.service,
                    entry.method, e.toString(), e);
        }
    }

    /** Ends the call's span, if it has one that is not ended yet. */
    private static void endSpan(Entry entry, Throwable error) {
        TraceHooks.ClientSpan span = entry.span;
        if (span != null) {
            Tracing.end(span, error, entry.replied);
        }
    }

    /** The request to hand to the transport, with the trace context when there is one. */
    static OutgoingRequest outgoing(byte[] body, String correlationId, long deadline, TraceHooks.TraceContext trace) {
        return trace == null ? DefaultRpcClient.outgoing(body, correlationId, deadline)
                : new OutgoingRequest(body, correlationId, deadline, trace.traceparent(), trace.tracestate(), 0);
    }

    private static long elapsed(Entry entry) {
        return System.nanoTime() - entry.startNanos;
    }

    // ---------------------------------------------------------------- bookkeeping

    private boolean admit(int calls) {
        if (inFlight.addAndGet(calls) > maxInFlight) {
            inFlight.addAndGet(-calls);
            return false;
        }
        return true;
    }

    /** Removes {@code p} if it is still pending; the caller that gets {@code true} settles it. */
    private boolean take(Pending p) {
        if (!pending.remove(p.correlationId, p)) {
            return false;
        }
        p.done = true;
        inFlight.addAndGet(-p.weight);
        return true;
    }

    /** The transport's channel, for {@link Introspect#members}; null before it opened. */
    ClientChannel channel() {
        return channel;
    }

    void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        failAllPending();
        ClientChannel ch = channel;
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("closing the {} client channel failed: {}", transportName, oneLine(e));
        }
        releaseQuietly();
        failAllPending(); // anything that slipped in while the channel closed
        LOG.debug("client {} closed", config.clientId());
    }

    private void failAllPending() {
        for (Pending p : pending.values()) {
            if (take(p)) {
                p.fail(this, closedError(p.service, p.what()), RpcMetrics.CLOSED);
            }
        }
    }

    private void releaseQuietly() {
        closed = true;
        try {
            transport.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} transport failed: {}", transportName, oneLine(e));
        }
        timer.stop();
    }

    private RpcException closedError(String service, String what) {
        return new RpcException(ErrorCodes.CLIENT_CLOSED, "the client is closed (call " + service + "." + what + ")");
    }

    private RpcException overloaded(int calls) {
        return new RpcException(ErrorCodes.OVERLOADED, "too many calls in flight: " + calls + " more would exceed"
                + " maxInFlight " + maxInFlight);
    }

    private RpcException tooLarge(int bytes) {
        return new RpcException(ErrorCodes.TRANSPORT_ERROR, "request of " + bytes + " bytes exceeds the "
                + transportName + " transport's limit of " + maxMessageBytes + " bytes");
    }

    private RpcException sendError(String service, String what, Throwable x) {
        Throwable cause = x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
        if (closed) {
            return new RpcException(ErrorCodes.CLIENT_CLOSED, "the client is closed (call " + service + "." + what
                    + ")", null, cause);
        }
        return new RpcException(ErrorCodes.TRANSPORT_ERROR, "could not send " + service + "." + what + " through "
                + transportName + ": " + oneLine(cause), null, cause);
    }

    static String oneLine(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    // ---------------------------------------------------------------- pending messages

    /** One call's result slot. */
    static final class Entry {
        final long id;
        final String service;
        final String method;
        final Type resultType;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        volatile long startNanos;
        /** The call's client span, while tracing; else null. */
        volatile TraceHooks.ClientSpan span;
        /** Whether the call failed with its reply's error object (set before it fails). */
        volatile boolean replied;

        Entry(long id, String service, String method, Type resultType) {
            this.id = id;
            this.service = service;
            this.method = method;
            this.resultType = resultType;
        }
    }

    /** A message awaiting its reply. */
    abstract static class Pending {
        final String correlationId;
        final String service;
        final int weight;
        volatile boolean done;
        /** When the call times out ({@link System#nanoTime()}); 0 until it is sent. */
        volatile long deadlineNanos;
        /**
         * When the call is hedged next ({@link System#nanoTime()}), or {@link TimeoutSweeper#NONE}; written before
         * {@link #deadlineNanos} is armed.
         */
        volatile long hedgeAtNanos;
        /** When the broker accepted the first attempt ({@link System#nanoTime()}); 0 until then. */
        volatile long sentNanos;
        volatile Duration timeout;
        /** Whether the transport confirmed that the broker accepted an attempt ({@link RpcTimeoutException}). */
        volatile boolean accepted;
        /** The trace context its request carries (hedges too), or null. */
        volatile TraceHooks.TraceContext trace;

        Pending(String correlationId, String service, int weight) {
            this.correlationId = correlationId;
            this.service = service;
            this.weight = weight;
        }

        /** @return the method name (or "batch") for messages. */
        abstract String what();

        /** Completes every call of this message from the reply body; must settle every call. */
        abstract void complete(ClientCore core, byte[] body);

        /** Fails every call of this message. */
        abstract void fail(ClientCore core, RpcException error, String outcome);
    }

    static final class PendingCall extends Pending {
        final Entry entry;
        /** The service's reply times, while hedging is enabled; else null. */
        ReplyTimes times;
        /** For a call that may be hedged, else null. */
        Hedge hedge;
        /** Declared idempotent: a send that fails is tried again ({@link #SEND_RETRIES}). */
        boolean idempotent;
        /** Sends of the first attempt that failed and were tried again; the sender's thread, then the retry's. */
        int sendRetries;
        /** Completes when the broker accepted the call's first attempt (never, when it was not sent). */
        final CompletableFuture<Void> sentStage = new CompletableFuture<>();

        PendingCall(String correlationId, Entry entry) {
            super(correlationId, entry.service, 1);
            this.entry = entry;
        }

        @Override
        String what() {
            return entry.method;
        }

        @Override
        void complete(ClientCore core, byte[] body) {
            JsonElement json = core.parseReply(this, body);
            if (json.isJsonArray()) {
                throw new RpcException(ErrorCodes.INTERNAL_ERROR, "the reply from " + service + "." + entry.method
                        + " is a batch; expected a single response");
            }
            Messages.Response response;
            try {
                response = Messages.parseResponse(json);
            } catch (IllegalArgumentException e) {
                throw new RpcException(ErrorCodes.INTERNAL_ERROR, "invalid reply from " + service + "."
                        + entry.method + ": " + e.getMessage());
            }
            JsonElement id = response.id();
            int attempt = id.isJsonNull() ? (response.isError() ? 0 : -1) : attempt(idText(id));
            if (attempt < 0) {
                throw new RpcException(ErrorCodes.INTERNAL_ERROR, "the reply from " + service + "." + entry.method
                        + " has id " + id + ", expected " + entry.id);
            }
            if (times != null) {
                long sent = attempt == 0 ? sentNanos : hedge.sentNanos[attempt - 1];
                if (sent != 0) {
                    times.record(System.nanoTime() - sent);
                }
            }
            if (attempt > 0) {
                core.budget.refund(); // a hedge that answered first was worth its cost: the budget bounds the others
                core.metrics.hedgeWon(service, entry.method, core.transportName);
            }
            core.complete(entry, response);
        }

        /** @return which attempt sent the JSON-RPC id {@code text} (0: the first, n: hedge n), or -1 for none */
        private int attempt(String text) {
            if (isDecimal(text, entry.id)) {
                return 0;
            }
            Hedge h = hedge;
            if (h != null) {
                for (int i = 0, n = h.sent; i < n; i++) {
                    if (isDecimal(text, h.ids[i])) {
                        return i + 1;
                    }
                }
            }
            return -1;
        }

        @Override
        void fail(ClientCore core, RpcException error, String outcome) {
            core.fail(entry, error, outcome);
        }
    }

    /**
     * A hedged call's state. The timer thread alone sends hedges and writes the arrays; {@link #sent}, written after
     * them, publishes them to the thread that reads the reply.
     */
    static final class Hedge {
        /** The params, to encode each hedge with a JSON-RPC id of its own. */
        final JsonElement params;
        /** The JSON-RPC id of each hedge sent. */
        final long[] ids;
        /** When each hedge was sent ({@link System#nanoTime()}). */
        final long[] sentNanos;
        volatile int sent;
        volatile long deadlineEpochMillis;
        volatile long delayNanos;

        Hedge(JsonElement params, int maxHedges) {
            this.params = params;
            this.ids = new long[maxHedges];
            this.sentNanos = new long[maxHedges];
        }
    }

    /**
     * The recent reply times of one service: a ring of the last {@value #SAMPLES} (overwritten racily: a sample lost
     * or doubled does not matter), from sending the attempt that answered to its reply. The hedge delay is their
     * {@link HedgePolicy#percentile()}, recomputed at most every {@value #RECOMPUTE_MILLIS} ms.
     */
    static final class ReplyTimes {
        static final int SAMPLES = 256;
        static final int MIN_SAMPLES = 16;
        static final long RECOMPUTE_MILLIS = 100;
        private static final long RECOMPUTE_NANOS = TimeUnit.MILLISECONDS.toNanos(RECOMPUTE_MILLIS);
        private final AtomicLongArray samples = new AtomicLongArray(SAMPLES);
        private final AtomicInteger next = new AtomicInteger();
        private volatile long delayNanos;
        private volatile long computedNanos;

        void record(long nanos) {
            samples.lazySet(Math.floorMod(next.getAndIncrement(), SAMPLES), Math.max(1, nanos));
        }

        long delayNanos(long nowNanos, HedgePolicy policy) {
            long d = delayNanos;
            if (d != 0 && nowNanos - computedNanos < RECOMPUTE_NANOS) {
                return d;
            }
            d = compute(policy);
            delayNanos = d;
            computedNanos = nowNanos;
            return d;
        }

        long compute(HedgePolicy policy) {
            long min = policy.minDelay().toNanos();
            long max = policy.maxDelay().toNanos();
            long[] s = new long[SAMPLES];
            int n = 0;
            for (int i = 0; i < SAMPLES; i++) {
                long v = samples.get(i);
                if (v > 0) {
                    s[n++] = v;
                }
            }
            if (n < MIN_SAMPLES) {
                return max;
            }
            java.util.Arrays.sort(s, 0, n);
            long v = s[Math.max(0, Math.min(n - 1, (int) Math.ceil(n * policy.percentile()) - 1))];
            return Math.max(min, Math.min(max, v));
        }
    }

    /**
     * Bounds a client's hedges: each idempotent call adds {@link HedgePolicy#budget()} of a hedge, each hedge takes
     * one, and a hedge whose reply completed its call gives it back; at most {@link HedgePolicy#BURST} are saved up
     * (and the budget starts full). So it bounds the hedges that did not help: those of calls that were only slow,
     * which is where hedging adds load to a service that is overloaded already.
     */
    static final class HedgeBudget {
        private static final long UNIT = 1000;
        private static final long CAP = HedgePolicy.BURST * UNIT;
        private final long perCall;
        private final AtomicLong tokens = new AtomicLong(CAP);

        HedgeBudget(double hedgesPerCall) {
            this.perCall = Math.max(1, Math.round(hedgesPerCall * UNIT));
        }

        void deposit() {
            if (tokens.get() < CAP) {
                tokens.accumulateAndGet(perCall, (t, add) -> Math.min(CAP, t + add));
            }
        }

        void refund() {
            tokens.accumulateAndGet(UNIT, (t, add) -> Math.min(CAP, t + add));
        }

        boolean take() {
            while (true) {
                long t = tokens.get();
                if (t < UNIT) {
                    return false;
                }
                if (tokens.compareAndSet(t, t - UNIT)) {
                    return true;
                }
            }
        }
    }

    static final class PendingBatch extends Pending {
        final List<Entry> entries;

        PendingBatch(String correlationId, String service, List<Entry> entries) {
            super(correlationId, service, entries.size());
            this.entries = entries;
        }

        @Override
        String what() {
            return "batch";
        }

        @Override
        void complete(ClientCore core, byte[] body) {
            JsonElement json;
            try {
                json = core.parseReply(this, body);
            } catch (RpcException e) {
                fail(core, e, RpcMetrics.ERROR);
                return;
            }
            JsonArray responses;
            if (json instanceof JsonArray array) {
                responses = array;
            } else if (json instanceof JsonObject) {
                responses = new JsonArray(1);
                responses.add(json);
            } else {
                fail(core, new RpcException(ErrorCodes.INTERNAL_ERROR, "the reply to a batch to " + service
                        + " is neither an array nor an object"), RpcMetrics.ERROR);
                return;
            }
            Map<String, Entry> byId = new HashMap<>(entries.size() * 2);
            for (Entry e : entries) {
                byId.put(Long.toString(e.id), e);
            }
            RpcException unattributed = null;
            for (JsonElement element : responses) {
                Messages.Response response;
                try {
                    response = Messages.parseResponse(element);
                } catch (IllegalArgumentException ex) {
                    unattributed = new RpcException(ErrorCodes.INTERNAL_ERROR, "invalid response in the reply to"
                            + " a batch to " + service + ": " + ex.getMessage());
                    continue;
                }
                if (response.id().isJsonNull()) {
                    Messages.ErrorObject error = response.error();
                    unattributed = error == null
                            ? new RpcException(ErrorCodes.INTERNAL_ERROR, "a result with id null in the reply"
                                    + " to a batch to " + service)
                            : new RpcException(error.code(), error.message(), error.data());
                    continue;
                }
                Entry entry = byId.remove(idText(response.id()));
                if (entry == null) {
                    LOG.debug("ignored a response with unknown id {} in a batch reply from {}", response.id(),
                            service);
                    continue;
                }
                core.complete(entry, response);
            }
            if (!byId.isEmpty()) {
                RpcException error = unattributed != null && responses.size() == 1 && unattributed.code()
                        != ErrorCodes.INTERNAL_ERROR ? unattributed // the server refused the whole batch
                        : new RpcException(ErrorCodes.INTERNAL_ERROR, "no response for this call in the reply to"
                        + " a batch to " + service + (unattributed == null ? "" : " (" + unattributed.getMessage()
                        + ")"));
                for (Entry entry : byId.values()) {
                    core.fail(entry, error, RpcMetrics.ERROR);
                }
            }
        }

        @Override
        void fail(ClientCore core, RpcException error, String outcome) {
            for (Entry entry : entries) {
                core.fail(entry, error, outcome);
            }
        }
    }

    /** @return {@code text.equals(Long.toString(n))} for {@code n > 0}, without making that string */
    static boolean isDecimal(String text, long n) {
        long rest = n;
        for (int i = text.length() - 1; i >= 0; i--) {
            if (rest == 0 || text.charAt(i) != (char) ('0' + rest % 10)) {
                return false;
            }
            rest /= 10;
        }
        return rest == 0 && !text.isEmpty();
    }

    static String idText(JsonElement id) {
        return id instanceof JsonPrimitive p ? p.getAsString() : String.valueOf(id);
    }
}
