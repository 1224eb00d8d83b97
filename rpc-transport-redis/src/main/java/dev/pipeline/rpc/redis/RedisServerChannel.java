package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.WireHeaders;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.models.stream.PendingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One server instance of a service: reads {@code <prefix><service>} through consumer group
 * {@code <prefix><service>} with its own consumer name, using a blocking XREADGROUP on a dedicated connection.
 *
 * <p>An entry whose {@code rpc-reply-to} is not a reply stream name ({@code <prefix>reply:<client id>}) is
 * dead-lettered as {@value #INVALID_REPLY_ADDRESS} without running the handler. Every other entry is handed to the
 * core; when its outcome is ready the reply is XADDed to the entry's reply stream (with an expiry; only if that key
 * is a stream or absent, else the entry is dead-lettered with the same reason), the entry is copied to
 * {@code <prefix><service>:dlq} when the core says so, and only then the entry is XACKed. A reply write that fails
 * is retried as a write ({@value #WRITE_ATTEMPTS} attempts), then the entry is dead-lettered with the error: the
 * handler never runs again because its reply could not be written (when Redis refuses the dead letter too, as it does
 * out of memory, the entry is acknowledged and logged at ERROR). At most {@code maxInFlight} entries are held (read and not yet acknowledged): reads ask for no
 * more than the free slots and stop when none are left.
 *
 * <p>A maintenance tick every {@code claimIdle/4} refreshes the idle time of entries still being handled (an
 * XCLAIM ... JUSTID by their owner, so a slow handler is not mistaken for a dead server) and claims entries other
 * consumers left pending longer than {@code claimIdle}; one delivered {@code maxDeliveries} times already goes to
 * the dead-letter stream instead, with the last failure this server saw on it (a fatal error on the read loop, a
 * handler's failure). A claim takes as many entries as fit the byte budget at the weight of the entries claimed
 * before, starting with one. A slower tick trims the request stream below the oldest entry still needed
 * (XTRIM MINID ~) and deletes consumers idle for {@code consumerIdleTimeout} with nothing pending.
 */
final class RedisServerChannel implements ServerChannel {
    private static final Logger log = LoggerFactory.getLogger(RedisServerChannel.class);
    private static final byte[] EMPTY = new byte[0];
    /** Dead-letter reason of a request whose {@code rpc-reply-to} is not a reply stream of this transport. */
    static final String INVALID_REPLY_ADDRESS = "invalid reply address";
    /** Attempts at writing one reply (or one dead letter) before giving up; the handler is never run again. */
    static final int WRITE_ATTEMPTS = 5;
    /** Pause before the second attempt; doubled before each further one (100, 200, 400, 800 ms). */
    static final long WRITE_BACKOFF_MILLIS = 100;
    /**
     * KEYS: reply stream, request stream; ARGV: group, entry id, reply ttl ms, rpc-id, body, "1" to XACK the request.
     * Writes only to a stream or to a key that does not exist: for any other type it returns -1 and touches nothing.
     */
    static final String REPLY_AND_ACK = "local t = redis.call('TYPE', KEYS[1]).ok\n"
            + "if t ~= 'stream' and t ~= 'none' then return -1 end\n"
            + "redis.call('XADD', KEYS[1], '*', '" + WireHeaders.RPC_ID + "', ARGV[4], '"
            + WireHeaders.BODY + "', ARGV[5])\n"
            + "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
            + "if ARGV[6] == '1' then return redis.call('XACK', KEYS[2], ARGV[1], ARGV[2]) end\n"
            + "return 0\n";
    static final String REPLY_AND_ACK_SHA = sha1Hex(REPLY_AND_ACK);

    private final RedisTransport transport;
    private final RedisTransportConfig config;
    private final String service;
    private final ServerSettings settings;
    private final RequestHandler handler;
    private final String stream;
    private final String group;
    private final String deadLetters;
    private final Consumer<String> consumer;
    private final Connector reader;
    /** Slots taken: entries handed to the handler and not yet acknowledged, plus reads outstanding. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Entries being handled by this instance, id → nanoTime of the last idle-time refresh. */
    private final Map<String, Long> handling = new ConcurrentHashMap<>();
    /** Bytes of each entry being handled ({@link ServerSettings#maxInFlightBytes()}), and their sum. */
    private final Map<String, Integer> entryBytes = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong inFlightBytes = new java.util.concurrent.atomic.AtomicLong();
    /**
     * What the next read assumes an entry weighs, to size its COUNT under the byte budget: Redis cannot bound a read
     * by bytes, so a read asks for as many entries as the budget has room for at this weight. It starts at the
     * budget (the first read takes one entry), then follows the largest entry of each read, halving when they are
     * smaller, so a backlog of large entries is read a few at a time and small ones {@code readCount} at a time.
     */
    private volatile long entryEstimate;
    /**
     * The same for claims: what a claimed entry is assumed to weigh. Kept apart from {@link #entryEstimate} because
     * the entries a dead server left pending are no sample of the live traffic: a server reading small requests
     * that claimed a backlog of 10 MB entries at its read's COUNT would take hundreds of megabytes in one reply.
     * It starts at the budget (one entry per claim) and follows the claimed entries as {@link #entryEstimate} does.
     */
    private volatile long claimEstimate;
    /**
     * Why an entry was left pending here (a fatal error on the read loop, a handler's failure), by entry id, so that
     * the dead letter of an entry delivered {@code maxDeliveries} times says what went wrong. Bounded by
     * {@link #FAILURES_KEPT}; an entry's reason goes once it is acknowledged.
     */
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    static final int FAILURES_KEPT = 1024;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean started;
    private volatile boolean stopping;
    private volatile boolean abandoned;
    private volatile ScheduledFuture<?> tick;
    private volatile ScheduledFuture<?> maintenance;
    private volatile int readFailures;
    /** Set by the tick: the read loop runs one claim round (with its reserved slots) before its next read. */
    private volatile boolean claimDue;
    private final dev.pipeline.rpc.spi.LoopHealth loopHealth;

    RedisServerChannel(RedisTransport transport, String service, ServerSettings settings, RequestHandler handler) {
        this.transport = transport;
        this.config = transport.config;
        this.service = service;
        this.settings = settings;
        this.entryEstimate = Math.max(1, Math.min(settings.maxInFlightBytes(), config.maxMessageBytes()));
        this.claimEstimate = entryEstimate;
        this.handler = handler;
        this.stream = transport.requestStream(service);
        this.group = transport.group(service);
        this.deadLetters = transport.deadLetterStream(service);
        this.consumer = Consumer.from(group, consumerName());
        this.reader = transport.connector("request reader");
        this.loopHealth = new dev.pipeline.rpc.spi.LoopHealth("the Redis read loop of service '" + service + "'");
    }

    private static String consumerName() {
        String host = System.getenv("HOSTNAME");
        String prefix = host == null || host.isBlank() ? "" : host + "-";
        return prefix + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String consumerName0() {
        return consumer.getName();
    }

    @Override
    public synchronized void start() {
        if (started) {
            return;
        }
        if (stopping) {
            throw new IllegalStateException("server channel for '" + service + "' is closed");
        }
        long wait = config.connectTimeout().toMillis() + config.commandTimeout().toMillis();
        try {
            transport.commands.get().get(wait, TimeUnit.MILLISECONDS);
            reader.get().get(wait, TimeUnit.MILLISECONDS);
            createGroup().get(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the server for service '" + service + "'");
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot start the server for service '" + service + "': Redis at "
                    + transport.display + " did not answer within " + wait + " ms");
        } catch (Exception e) {
            Throwable cause = Connector.unwrap(e);
            throw new IllegalStateException("cannot start the server for service '" + service + "': "
                    + cause.getMessage(), cause);
        }
        started = true;
        long tickMillis = Math.max(25, Math.min(5000, config.claimIdle().toMillis() / 4));
        // guarded: a periodic task that throws is never run again, which would end claiming silently
        tick = transport.scheduler.scheduleWithFixedDelay(guarded(this::tick), tickMillis, tickMillis,
                TimeUnit.MILLISECONDS);
        long every = config.maintenanceInterval().toMillis();
        maintenance = transport.scheduler.scheduleWithFixedDelay(guarded(this::maintain), every, every,
                TimeUnit.MILLISECONDS);
        log.debug("server for '{}' consuming {} as {}", service, stream, consumer.getName());
        maybeRead();
    }

    /** @return {@code task}, whose fatal errors are logged and reported instead of ending its schedule */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                loopHealth.survived(e);
            }
        };
    }

    /** XGROUP CREATE at id 0 (so requests sent before any server existed are served) with MKSTREAM. */
    private CompletableFuture<Void> createGroup() {
        return transport.commands.get().thenCompose(c -> c.async()
                .xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), group, XGroupCreateArgs.Builder.mkstream())
                .toCompletableFuture()
                .handle((ok, err) -> {
                    Throwable cause = err == null ? null : Connector.unwrap(err);
                    if (cause != null && !(cause instanceof RedisBusyException)
                            && (cause.getMessage() == null || !cause.getMessage().startsWith("BUSYGROUP"))) {
                        throw new IllegalStateException("XGROUP CREATE " + stream + " failed: " + cause.getMessage(),
                                cause);
                    }
                    return null;
                }));
    }

    // ---- slots -------------------------------------------------------------------------------------------------

    private int reserve(int want) {
        while (true) {
            int cur = inFlight.get();
            int n = Math.min(want, settings.maxInFlight() - cur);
            if (n <= 0) {
                return 0;
            }
            if (inFlight.compareAndSet(cur, cur + n)) {
                return n;
            }
        }
    }

    /** Gives slots back without starting a read (a read failed and is retried after a pause). */
    private void releaseQuietly(int n) {
        if (inFlight.addAndGet(-n) == 0 && stopping) {
            drained.complete(null);
        }
    }

    private void release(int n) {
        if (n <= 0) {
            return;
        }
        int left = inFlight.addAndGet(-n);
        if (stopping) {
            if (left == 0) {
                drained.complete(null);
            }
        } else {
            maybeRead();
        }
    }

    // ---- reading -----------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked") // Lettuce's StreamOffset varargs
    private void maybeRead() {
        if (stopping || !started || !reading.compareAndSet(false, true)) {
            return;
        }
        int want = readCount();
        int slots = want == 0 ? 0 : reserve(want);
        if (slots == 0) {
            reading.set(false);
            // a release between reserve() and here would have found reading == true: look again
            if (!stopping && inFlight.get() < settings.maxInFlight() && readCount() > 0) {
                maybeRead();
            }
            return;
        }
        if (claimDue) {
            claimDue = false;
            StatefulRedisConnection<String, byte[]> c = transport.commands.now();
            if (c != null) {
                reclaim(c.async(), slots).whenComplete((used, err) -> {
                    if (err != null && !stopping) {
                        log.debug("server for '{}': claiming pending entries failed: {}", service, err.toString());
                    }
                    reading.set(false);
                    int unused = slots - (used == null ? 0 : used);
                    release(unused);
                    if (unused == 0) {
                        maybeRead();
                    }
                });
                return;
            }
        }
        reader.get().thenCompose(c -> c.async().xreadgroup(consumer,
                        XReadArgs.Builder.block(config.blockTimeout().toMillis()).count(slots),
                        XReadArgs.StreamOffset.lastConsumed(stream)))
                .whenComplete((msgs, err) -> {
                    try {
                        onRead(slots, msgs, err);
                    } catch (Throwable t) {
                        // a fatal error on the I/O thread: an exception here would only complete a future nobody
                        // reads, and the read loop would end silently. Entries read and not dispatched stay pending
                        // (claimed again after claimIdle); the loop reads again after a back-off
                        restartReading(t);
                    }
                });
    }

    private void onRead(int slots, List<StreamMessage<String, byte[]>> msgs, Throwable err) {
        int got = msgs == null ? 0 : msgs.size();
        if (err != null) {
            // 'reading' stays set until the retry: completions must not start a read without backoff
            releaseQuietly(slots);
            onReadFailure(Connector.unwrap(err));
            return;
        }
        readFailures = 0;
        weigh(msgs);
        // unused slots back before dispatching: dispatch may release and trigger the next read
        reading.set(false);
        int unused = slots - got;
        if (got > 0) {
            for (StreamMessage<String, byte[]> m : msgs) {
                dispatch(m);
            }
        }
        release(unused);
        if (unused == 0) {
            maybeRead();
        }
    }

    /** After a fatal error in the read loop: reported (DOWN), and a read scheduled after the back-off. */
    private void restartReading(Throwable error) {
        long backoff = loopHealth.died(error);
        reading.set(true); // no read starts before the restart (a completion's release would start one)
        try {
            transport.scheduler.schedule(() -> {
                loopHealth.restarted();
                reading.set(false);
                maybeRead();
            }, backoff, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // transport closing
        }
    }

    @Override
    public dev.pipeline.rpc.Health health() {
        return loopHealth.health();
    }

    /** @return the COUNT of the next read under the byte budget: 0 while the budget is used up */
    private int readCount() {
        return countUnderBudget(entryEstimate);
    }

    /** @return how many entries of about {@code estimate} bytes fit the byte budget now: 0 while it is used up */
    private int countUnderBudget(long estimate) {
        long used = inFlightBytes.get();
        long budget = settings.maxInFlightBytes();
        if (used > 0 && used >= budget) {
            return 0;
        }
        long room = used == 0 ? budget : budget - used;
        return (int) Math.min(config.readCount(), Math.max(1, room / Math.max(1, estimate)));
    }

    private void weigh(List<StreamMessage<String, byte[]>> msgs) {
        entryEstimate = weighed(msgs, entryEstimate);
    }

    /** @return the estimate after a read of {@code msgs}: their largest entry, or half the old estimate if larger */
    static long weighed(List<StreamMessage<String, byte[]>> msgs, long estimate) {
        if (msgs == null || msgs.isEmpty()) {
            return estimate;
        }
        long largest = 0;
        for (StreamMessage<String, byte[]> m : msgs) {
            if (m != null) {
                largest = Math.max(largest, bytes(m.getBody()));
            }
        }
        return Math.max(256, Math.max(largest, estimate / 2));
    }

    private static int bytes(Map<String, byte[]> fields) {
        if (fields == null) {
            return 0;
        }
        long n = 0;
        for (byte[] v : fields.values()) {
            n += v == null ? 0 : v.length;
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** Takes an entry's bytes into the budget while it is handled here. */
    private void hold(String id, Map<String, byte[]> fields) {
        handling.put(id, System.nanoTime());
        int n = bytes(fields);
        if (entryBytes.put(id, n) == null) {
            inFlightBytes.addAndGet(n);
        }
    }

    /** The entry is finished here (acknowledged, or left pending for another delivery): its slot and bytes go back. */
    private void finish(String id) {
        handling.remove(id);
        Integer n = entryBytes.remove(id);
        if (n != null) {
            inFlightBytes.addAndGet(-n);
        }
        release(1);
    }

    private void onReadFailure(Throwable cause) {
        if (stopping) {
            return;
        }
        String msg = String.valueOf(cause.getMessage());
        if (msg.startsWith("NOGROUP")) { // stream or group deleted (e.g. a broker restarted without persistence)
            log.warn("group {} of {} is gone; creating it again", group, stream);
            createGroup().whenComplete((v, e) -> retryRead(e == null ? 0 : 500));
            return;
        }
        int n = readFailures++;
        if (n == 0) {
            log.warn("server for '{}': reading {} failed, retrying: {}", service, stream, msg);
        } else {
            log.debug("server for '{}': reading failed again: {}", service, cause.toString());
        }
        retryRead(Math.min(1000, 50L << Math.min(n, 5)));
    }

    private void retryRead(long delayMillis) {
        if (stopping) {
            return;
        }
        try {
            transport.scheduler.schedule(() -> {
                reading.set(false);
                maybeRead();
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // transport closing
        }
    }

    // ---- handling ----------------------------------------------------------------------------------------------

    /** Hands one entry (its slot already taken) to the handler and carries out the outcome. */
    private void dispatch(StreamMessage<String, byte[]> m) {
        String id = m.getId();
        Map<String, byte[]> fields = m.getBody();
        if (fields == null || fields.isEmpty()) { // deleted (trimmed) while pending: nothing to do but acknowledge
            ack(id);
            return;
        }
        IncomingRequest request = new IncomingRequest(fields.getOrDefault(WireHeaders.BODY, EMPTY),
                text(fields, WireHeaders.RPC_ID), text(fields, WireHeaders.REPLY_TO),
                IncomingRequest.parseDeadline(fields.get(WireHeaders.DEADLINE)), text(fields, WireHeaders.CLIENT),
                text(fields, WireHeaders.TRACEPARENT), text(fields, WireHeaders.TRACESTATE));
        hold(id, fields);
        if (request.replyTo() != null && !transport.isReplyStream(request.replyTo())) {
            // refused before the handler runs and before any command names that key
            // debug, not warn: any client can send these, and the dead-letter stream records each one
            log.debug("server for '{}': entry {} names an invalid reply address; dead-lettered", service, id);
            replyAddressRefused();
            deadLetterAndAck(id, fields, INVALID_REPLY_ADDRESS);
            return;
        }
        CompletionStage<HandlerOutcome> stage;
        try {
            stage = handler.handle(request);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        } catch (Error e) {
            // a fatal error on the read loop's thread (e.g. OutOfMemoryError): logged, reported, and the entry left
            // pending, so it is claimed and handled again after claimIdle; the loop goes on with the next entries
            loopHealth.survived(e);
            failed(id, String.valueOf(e));
            finish(id);
            return;
        }
        stage.whenComplete((outcome, err) -> {
            if (err != null || outcome == null) {
                // contract violation by the handler: leave the entry pending; it is claimed again and, past
                // maxDeliveries, dead-lettered
                log.warn("handler for '{}' failed on entry {}; left pending for redelivery: {}", service, id,
                        err == null ? "null outcome" : err.toString());
                failed(id, "handler failed: " + (err == null ? "null outcome" : Connector.unwrap(err)));
                finish(id);
                return;
            }
            complete(id, fields, request.replyTo(), request.correlationId(), outcome);
        });
    }

    private void complete(String id, Map<String, byte[]> fields, String replyTo, String correlationId,
                          HandlerOutcome outcome) {
        if (abandoned) { // closed while this was running: another instance answers it
            log.debug("server for '{}' closed; entry {} left pending", service, id);
            finish(id);
            return;
        }
        String reason = outcome.deadLetterReason();
        if (outcome.reply() == null || replyTo == null) {
            if (reason != null) {
                deadLetterAndAck(id, fields, reason);
            } else {
                ack(id);
            }
            return;
        }
        // the common case (no dead letter) in one command: the script writes the reply and XACKs the request
        boolean ackInScript = reason == null;
        retrying(() -> writeReply(id, replyTo, correlationId, outcome.reply(), ackInScript), 1)
                .whenComplete((n, err) -> {
                    if (err != null && abandoned) { // closed while retrying: another instance answers it
                        failedWrite(id, Connector.unwrap(err));
                    } else if (err != null) {
                        Throwable cause = Connector.unwrap(err);
                        log.warn("server for '{}': the reply to entry {} could not be written after {} attempts; "
                                + "dead-lettered without running the handler again: {}", service, id, WRITE_ATTEMPTS,
                                cause.getMessage());
                        String failure = "reply could not be written: " + cause.getMessage();
                        deadLetterAndAck(id, fields, reason == null ? failure : reason + "; " + failure, true);
                    } else if (n != null && n < 0) {
                        log.warn("server for '{}': the reply key of entry {} is not a stream; dead-lettered",
                                service, id);
                        replyAddressRefused();
                        deadLetterAndAck(id, fields, reason == null ? INVALID_REPLY_ADDRESS
                                : reason + "; " + INVALID_REPLY_ADDRESS);
                    } else if (ackInScript) {
                        finish(id);
                    } else {
                        deadLetterAndAck(id, fields, reason);
                    }
                });
    }

    /**
     * One reply write: a script that checks the reply key is a stream (or absent), XADDs the reply, sets the reply
     * stream's expiry and, with {@code ack}, XACKs the request, atomically (an error in the XADD aborts the script,
     * so nothing is acknowledged without its reply). One command instead of three halves the server's Redis
     * traffic per call. {@code NOSCRIPT} (an empty script cache, e.g. after a restart) falls back to EVAL.
     *
     * @return -1 when the reply key holds another type (nothing written), else 0 or the XACK count
     */
    private CompletableFuture<Long> writeReply(String id, String replyTo, String correlationId, byte[] reply,
                                               boolean ack) {
        String[] keys = {replyTo, stream};
        byte[][] args = {utf8(group), utf8(id), utf8(Long.toString(config.replyTtl().toMillis())),
                RedisClientChannel.utf8(correlationId), reply, utf8(ack ? "1" : "0")};
        return transport.commands.get().thenCompose(c -> {
            RedisAsyncCommands<String, byte[]> cmd = c.async();
            return cmd.<Long>evalsha(REPLY_AND_ACK_SHA, ScriptOutputType.INTEGER, keys, args).toCompletableFuture()
                    .<CompletableFuture<Long>>handle((n, err) -> {
                        if (err == null) {
                            return CompletableFuture.completedFuture(n);
                        }
                        Throwable cause = Connector.unwrap(err);
                        if (String.valueOf(cause.getMessage()).startsWith("NOSCRIPT")) {
                            return cmd.<Long>eval(REPLY_AND_ACK, ScriptOutputType.INTEGER, keys, args)
                                    .toCompletableFuture();
                        }
                        return CompletableFuture.<Long>failedFuture(cause);
                    }).thenCompose(f -> f);
        });
    }

    /**
     * Runs a write, and again after a pause (doubling from {@link #WRITE_BACKOFF_MILLIS}) while it fails, at most
     * {@link #WRITE_ATTEMPTS} times in all. The pauses are scheduled, never slept, so no I/O thread waits. Stops
     * early when this server is closing: the entry then stays pending for another instance.
     */
    private <T> CompletableFuture<T> retrying(java.util.function.Supplier<CompletableFuture<T>> write, int attempt) {
        CompletableFuture<T> first;
        try {
            first = write.get();
        } catch (RuntimeException e) {
            first = CompletableFuture.failedFuture(e);
        }
        return first.handle((v, err) -> {
            if (err == null) {
                return CompletableFuture.completedFuture(v);
            }
            if (attempt >= WRITE_ATTEMPTS || abandoned) {
                return CompletableFuture.<T>failedFuture(Connector.unwrap(err));
            }
            log.debug("server for '{}': write failed (attempt {} of {}), retrying: {}", service, attempt,
                    WRITE_ATTEMPTS, Connector.unwrap(err).toString());
            CompletableFuture<T> next = new CompletableFuture<>();
            try {
                transport.scheduler.schedule(() -> retrying(write, attempt + 1).whenComplete((r, e) -> {
                    if (e != null) {
                        next.completeExceptionally(e);
                    } else {
                        next.complete(r);
                    }
                }), WRITE_BACKOFF_MILLIS << (attempt - 1), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) { // transport closing
                next.completeExceptionally(Connector.unwrap(err));
            }
            return next;
        }).thenCompose(f -> f);
    }

    /** Tells the core a reply address was refused (it counts them); never throws. */
    private void replyAddressRefused() {
        try {
            handler.replyAddressRefused();
        } catch (RuntimeException e) {
            log.debug("server for '{}': the handler failed to take a refused reply address: {}", service, e.toString());
        }
    }

    /**
     * Copies the entry to the dead-letter stream with {@code reason} (retried like a reply), then XACKs it. If even
     * the dead letter cannot be written, the entry stays pending and is delivered again.
     */
    private void deadLetterAndAck(String id, Map<String, byte[]> fields, String reason) {
        deadLetterAndAck(id, fields, reason, false);
    }

    /**
     * As {@link #deadLetterAndAck(String, Map, String)}; with {@code handlerRan} (its reply could not be written) an
     * entry whose dead letter cannot be written either is still acknowledged, when Redis takes the XACK, so that the
     * handler does not run again: Redis out of memory refuses every XADD but not XACK. The entry is then only in the
     * log, at ERROR. When Redis takes nothing (unreachable), it stays pending and is delivered again.
     */
    private void deadLetterAndAck(String id, Map<String, byte[]> fields, String reason, boolean handlerRan) {
        retrying(() -> transport.commands.get().thenCompose(c -> deadLetter(c.async(), id, fields, reason)), 1)
                .whenComplete((v, err) -> {
                    if (err != null && handlerRan && !abandoned) {
                        log.error("server for '{}': entry {} of {} ran, but neither its reply nor its dead letter "
                                + "could be written ({}; {}); acknowledging it so that it does not run again",
                                service, id, stream, reason, Connector.unwrap(err).getMessage());
                        ack(id);
                    } else if (err != null) {
                        failedWrite(id, Connector.unwrap(err));
                    } else {
                        ack(id);
                    }
                });
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private CompletableFuture<String> deadLetter(RedisAsyncCommands<String, byte[]> cmd, String id,
                                                 Map<String, byte[]> fields, String reason) {
        Map<String, byte[]> copy = new LinkedHashMap<>(fields);
        copy.put(WireHeaders.DLQ_REASON, RedisClientChannel.utf8(reason));
        copy.put("rpc-dlq-source", RedisClientChannel.utf8(stream + " " + id));
        RedisFuture<String> f = config.deadLetterMaxLen() > 0
                ? cmd.xadd(deadLetters, new XAddArgs().maxlen(config.deadLetterMaxLen()).approximateTrimming(), copy)
                : cmd.xadd(deadLetters, copy);
        log.debug("entry {} of {} dead-lettered: {}", id, stream, reason);
        return f.toCompletableFuture();
    }

    private void failedWrite(String id, Throwable cause) {
        log.warn("server for '{}': writing the outcome of entry {} failed; left pending for redelivery: {}", service,
                id, cause.getMessage());
        finish(id);
    }

    /** Remembers why entry {@code id} was left pending here, for its dead letter (see {@link #failures}). */
    private void failed(String id, String why) {
        if (failures.size() < FAILURES_KEPT || failures.containsKey(id)) {
            failures.put(id, why.length() > 300 ? why.substring(0, 300) + "..." : why);
        }
    }

    private void ack(String id) {
        transport.commands.get().thenCompose(c -> c.async().xack(stream, group, id))
                .whenComplete((n, err) -> {
                    if (err == null) {
                        failures.remove(id);
                    }
                    if (err != null) {
                        log.warn("server for '{}': XACK {} failed (it will be redelivered): {}", service, id,
                                Connector.unwrap(err).getMessage());
                    }
                    finish(id);
                });
    }

    // ---- claiming ----------------------------------------------------------------------------------------------

    private void tick() {
        if (stopping) {
            return;
        }
        StatefulRedisConnection<String, byte[]> c = transport.commands.now();
        if (c == null) {
            return;
        }
        try {
            refreshLeases(c.async());
            claimDue = true; // the read loop claims before its next read, at most one blockTimeout from now
        } catch (RuntimeException e) {
            log.warn("server for '{}': maintenance tick failed: {}", service, e.toString());
        }
    }

    /** Resets the idle time of entries still being handled here, without counting a delivery. */
    private void refreshLeases(RedisAsyncCommands<String, byte[]> cmd) {
        long now = System.nanoTime();
        long every = config.claimIdle().toNanos() / 3;
        List<String> due = new ArrayList<>();
        for (Map.Entry<String, Long> e : handling.entrySet()) {
            if (now - e.getValue() >= every) {
                due.add(e.getKey());
                e.setValue(now);
            }
        }
        if (!due.isEmpty()) {
            cmd.xclaim(stream, consumer, XClaimArgs.Builder.justid(), due.toArray(new String[0]));
        }
    }

    /**
     * Claims entries other consumers left pending longer than claimIdle, using some of {@code reserved} reserved
     * slots: at most as many as fit the byte budget at {@link #claimEstimate}.
     *
     * @return how many of the slots now hold a claimed entry (the rest are the caller's to release)
     */
    private CompletableFuture<Integer> reclaim(RedisAsyncCommands<String, byte[]> cmd, int reserved) {
        long minIdle = config.claimIdle().toMillis();
        // the claimed entries come with their bodies: as many as fit the byte budget at the claims' own weight
        int slots = Math.min(reserved, Math.max(1, countUnderBudget(claimEstimate)));
        return cmd.xpending(stream, new XPendingArgs<String>().group(group).range(Range.create("-", "+"))
                        .limit(Limit.from(slots + handling.size())).idle(minIdle))
                .toCompletableFuture()
                .thenCompose(pending -> {
                    List<String> claim = new ArrayList<>();
                    Map<String, Long> poison = new HashMap<>();
                    for (PendingMessage p : pending) {
                        if (handling.containsKey(p.getId()) || claim.size() + poison.size() >= slots) {
                            continue;
                        }
                        if (p.getRedeliveryCount() >= config.maxDeliveries()) {
                            poison.put(p.getId(), p.getRedeliveryCount());
                        } else {
                            claim.add(p.getId());
                        }
                    }
                    if (claim.isEmpty() && poison.isEmpty()) {
                        return CompletableFuture.completedFuture(0);
                    }
                    List<String> ids = new ArrayList<>(claim);
                    ids.addAll(poison.keySet());
                    return cmd.xclaim(stream, consumer, XClaimArgs.Builder.minIdleTime(minIdle),
                                    ids.toArray(new String[0])).toCompletableFuture()
                            .thenApply(msgs -> {
                                claimEstimate = weighed(msgs, claimEstimate);
                                int used = 0;
                                for (StreamMessage<String, byte[]> m : msgs) {
                                    if (m == null || handling.containsKey(m.getId())) {
                                        continue;
                                    }
                                    used++;
                                    Long deliveries = poison.get(m.getId());
                                    if (deliveries != null) {
                                        deadLetterUndeliverable(cmd, m, deliveries);
                                    } else {
                                        log.debug("server for '{}' claimed entry {}", service, m.getId());
                                        dispatch(m);
                                    }
                                }
                                return used;
                            });
                });
    }

    /** Sends an entry delivered too often to the dead-letter stream, then acknowledges it (its slot is taken). */
    private void deadLetterUndeliverable(RedisAsyncCommands<String, byte[]> cmd, StreamMessage<String, byte[]> m,
                                         long deliveries) {
        String id = m.getId();
        Map<String, byte[]> fields = m.getBody();
        if (fields == null || fields.isEmpty()) {
            ack(id);
            return;
        }
        hold(id, fields);
        String failure = failures.get(id);
        String reason = "not acknowledged after " + deliveries + " deliveries (maxDeliveries "
                + config.maxDeliveries() + ")" + (failure == null ? "" : "; the last delivery here: " + failure);
        log.warn("server for '{}': entry {} {}; moved to {}", service, id, reason, deadLetters);
        deadLetter(cmd, id, fields, reason).whenComplete((v, err) -> {
            if (err != null) {
                failedWrite(id, Connector.unwrap(err));
            } else {
                ack(id);
            }
        });
    }

    // ---- trimming and cleanup ------------------------------------------------------------------------------------

    private void maintain() {
        if (stopping) {
            return;
        }
        StatefulRedisConnection<String, byte[]> c = transport.commands.now();
        if (c == null) {
            return;
        }
        RedisAsyncCommands<String, byte[]> cmd = c.async();
        trim(cmd).exceptionally(e -> {
            log.debug("server for '{}': trimming {} failed: {}", service, stream, e.toString());
            return null;
        });
        removeDeadConsumers(cmd).exceptionally(e -> {
            log.debug("server for '{}': consumer cleanup failed: {}", service, e.toString());
            return null;
        });
    }

    /**
     * XTRIM MINID ~ below the oldest entry the group still needs: the oldest pending entry, or the last delivered
     * one when nothing is pending. Entries not yet delivered are never removed.
     */
    CompletableFuture<Long> trim(RedisAsyncCommands<String, byte[]> cmd) {
        CompletableFuture<String> lastDelivered = cmd.xinfoGroups(stream).toCompletableFuture()
                .thenApply(groups -> {
                    for (Object g : groups) {
                        Map<String, Object> info = pairs(g);
                        if (group.equals(info.get("name"))) {
                            return (String) info.get("last-delivered-id");
                        }
                    }
                    return null;
                });
        return lastDelivered.thenCompose(last -> {
            if (last == null || "0-0".equals(last)) {
                return CompletableFuture.completedFuture(0L);
            }
            return cmd.xpending(stream, group).toCompletableFuture().thenCompose(p -> {
                String minId = last;
                if (p.getCount() > 0 && p.getMessageIds() != null && p.getMessageIds().getLower() != null) {
                    String oldest = p.getMessageIds().getLower().getValue();
                    if (oldest != null && compareIds(oldest, minId) < 0) {
                        minId = oldest;
                    }
                }
                return cmd.xtrim(stream, new XTrimArgs().minId(minId).approximateTrimming()).toCompletableFuture();
            });
        });
    }

    /** Deletes consumers of this group idle longer than consumerIdleTimeout with nothing pending. */
    CompletableFuture<Integer> removeDeadConsumers(RedisAsyncCommands<String, byte[]> cmd) {
        long idleLimit = config.consumerIdleTimeout().toMillis();
        return cmd.xinfoConsumers(stream, group).toCompletableFuture().thenCompose(consumers -> {
            List<CompletableFuture<Long>> deletions = new ArrayList<>();
            for (Object o : consumers) {
                Map<String, Object> info = pairs(o);
                Object name = info.get("name");
                long pending = asLong(info.get("pending"));
                long idle = asLong(info.get("idle"));
                if (name instanceof String n && !n.equals(consumer.getName()) && pending == 0 && idle > idleLimit) {
                    log.info("removing consumer {} from group {} (idle {} s, nothing pending)", n, group,
                            idle / 1000);
                    deletions.add(cmd.xgroupDelconsumer(stream, Consumer.from(group, n)).toCompletableFuture());
                }
            }
            return CompletableFuture.allOf(deletions.toArray(new CompletableFuture<?>[0]))
                    .thenApply(v -> deletions.size());
        });
    }

    // ---- closing -----------------------------------------------------------------------------------------------

    @Override
    public void close() {
        close(settings.shutdownGrace());
    }

    @Override
    public void close(Duration grace) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        cancel(tick);
        cancel(maintenance);
        reader.close(); // aborts the blocking XREADGROUP; entries it had been given stay pending for others
        if (inFlight.get() == 0) {
            drained.complete(null);
        }
        boolean finished;
        try {
            drained.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            finished = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        } catch (Exception e) {
            finished = false;
        }
        abandoned = true;
        if (!finished) {
            log.info("server for '{}' closed with {} entries unfinished; they stay pending for another instance",
                    service, handling.size());
        } else if (started) {
            removeSelfIfIdle();
        }
        transport.forget(this);
    }

    /** A consumer with nothing pending is deleted at once; one with pending entries stays for claiming. */
    private void removeSelfIfIdle() {
        StatefulRedisConnection<String, byte[]> c = transport.commands.now();
        if (c == null) {
            return;
        }
        try {
            RedisAsyncCommands<String, byte[]> cmd = c.async();
            List<PendingMessage> mine = cmd.xpending(stream, consumer, Range.create("-", "+"), Limit.from(1))
                    .get(1, TimeUnit.SECONDS);
            if (mine.isEmpty()) {
                cmd.xgroupDelconsumer(stream, consumer).get(1, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.debug("server for '{}': removing consumer {}: {}", service, consumer.getName(), e.toString());
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static String text(Map<String, byte[]> fields, String name) {
        byte[] v = fields.get(name);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** XINFO replies are flat lists of name, value pairs; names and values arrive as bytes or numbers. */
    private static Map<String, Object> pairs(Object o) {
        Map<String, Object> m = new HashMap<>();
        if (o instanceof List<?> l) {
            for (int i = 0; i + 1 < l.size(); i += 2) {
                m.put(String.valueOf(decode(l.get(i))), decode(l.get(i + 1)));
            }
        }
        return m;
    }

    private static Object decode(Object o) {
        if (o instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (o instanceof java.nio.ByteBuffer bb) {
            return StandardCharsets.UTF_8.decode(bb.duplicate()).toString();
        }
        return o;
    }

    private static long asLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        try {
            return o == null ? 0 : Long.parseLong(o.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String sha1Hex(String script) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(40);
            for (byte b : d) {
                sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int compareIds(String a, String b) {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        int c = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, da)), Long.parseUnsignedLong(b.substring(0, db)));
        return c != 0 ? c : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(da + 1)),
                Long.parseUnsignedLong(b.substring(db + 1)));
    }
}
