package dev.pipeline.rpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client's cache of "does any server serve this service?" ({@link dev.pipeline.rpc.spi.ClientChannel#noServer}),
 * per service. A call asks {@link #check} before it is sent: a known answer costs one map lookup and a clock
 * comparison; only the first call to a service, and a call to a service found unserved more than
 * {@link #NEGATIVE_NANOS} ago, waits for the transport's query (one at a time per service, shared by the calls that
 * arrive meanwhile). A served service is asked again after {@link #POSITIVE_NANOS}, in the background: its calls
 * never wait for that.
 */
final class ServerChecks {
    private static final Logger LOG = LoggerFactory.getLogger(ServerChecks.class);
    /** How long "served" (or "cannot tell") holds before the next call refreshes it in the background. */
    static final long POSITIVE_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** How long "no server" holds: calls within it fail at once; the next one after it asks again. */
    static final long NEGATIVE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A transport's query that has not answered by then counts as "cannot tell" (the call is sent). */
    static final long QUERY_TIMEOUT_MILLIS = 5_000;

    /** Answer of {@link #check} for "send now": a known, served service. */
    static final CompletableFuture<String> SEND = CompletableFuture.completedFuture(null);

    private final Function<String, CompletableFuture<Optional<String>>> query;
    private final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();

    /** @param query the transport's {@code noServer}; must not throw (a throw counts as "cannot tell") */
    ServerChecks(Function<String, CompletableFuture<Optional<String>>> query) {
        this.query = query;
    }

    /** The latest answer for a service, and the query running for it, if any. */
    private static final class Answer {
        /** Whether a query answered yet (false while the first one runs). */
        final boolean known;
        /** Null: served or cannot tell; else the reason no server serves it. */
        final String noServer;
        final long atNanos;
        final CompletableFuture<String> running;

        Answer(boolean known, String noServer, long atNanos, CompletableFuture<String> running) {
            this.known = known;
            this.noServer = noServer;
            this.atNanos = atNanos;
            this.running = running;
        }
    }

    /**
     * @return {@link #SEND} when the call may be sent at once; else a future that completes with null (send) or with
     * the reason no server serves {@code service} (fail the call with it). Never completes exceptionally.
     */
    CompletableFuture<String> check(String service, long nowNanos) {
        Answer a = answers.get(service);
        if (a != null && a.running == null) {
            long age = nowNanos - a.atNanos;
            if (a.noServer == null) {
                if (age >= POSITIVE_NANOS) {
                    refresh(service, a); // in the background: a served service's calls never wait
                }
                return SEND;
            }
            if (age < NEGATIVE_NANOS) {
                return CompletableFuture.completedFuture(a.noServer);
            }
        } else if (a != null) {
            // a refresh of "served" runs: send meanwhile; a first query or a refresh of "no server": wait for it
            return a.known && a.noServer == null ? SEND : a.running;
        }
        CompletableFuture<String> started = refresh(service, a);
        if (started == null) {
            return check(service, System.nanoTime());
        }
        // a transport that answers at once (the SPI's default: cannot tell) leaves the call on its usual path
        return started.isDone() && started.join() == null ? SEND : started;
    }

    /** Starts a query unless one runs; @return its future, or null when another thread changed the answer first. */
    private CompletableFuture<String> refresh(String service, Answer seen) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Answer running = seen == null ? new Answer(false, null, 0, result)
                : new Answer(true, seen.noServer, seen.atNanos, result);
        boolean mine = seen == null ? answers.putIfAbsent(service, running) == null
                : answers.replace(service, seen, running);
        if (!mine) {
            return null;
        }
        CompletableFuture<Optional<String>> asked;
        try {
            asked = query.apply(service);
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        asked.completeOnTimeout(Optional.empty(), QUERY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .whenComplete((why, error) -> {
                    String noServer = null;
                    if (error != null) {
                        LOG.debug("could not tell whether a server serves '{}' (sending its calls): {}", service,
                                error.toString());
                    } else if (why != null && why.isPresent()) {
                        noServer = why.get();
                    }
                    answers.put(service, new Answer(true, noServer, System.nanoTime(), null));
                    result.complete(noServer);
                });
        return seen != null && seen.noServer == null ? SEND : result;
    }
}
