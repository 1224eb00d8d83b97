package dev.pipeline.rpc.tck;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Limits;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcMetrics;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.spi.TransportCapabilities;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** What the suites share: the fixture, unique names, clients and servers closed after each test, helpers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TckBase {
    static final Logger LOG = LoggerFactory.getLogger("dev.pipeline.rpc.tck");
    /** The largest message the suites try, whatever the transport declares. */
    static final int MAX_TESTED_MESSAGE_BYTES = 4 << 20;

    TransportFixture fixture;
    TransportCapabilities caps;
    private final Deque<AutoCloseable> perTest = new ArrayDeque<>();
    private final Deque<AutoCloseable> perClass = new ArrayDeque<>();
    private boolean inClassSetup;

    /**
     * @return the fixture of the transport under test; called once per suite class. This is the only method a
     * transport module implements.
     */
    protected abstract TransportFixture fixture();

    /**
     * Gets the fixture and its capabilities once per suite class, then runs the suite's own class setup.
     *
     * @throws Exception when the fixture or the suite's setup fails: every test of the class then fails
     */
    @BeforeAll
    public final void openFixture() throws Exception {
        fixture = fixture();
        caps = fixture.capabilities();
        LOG.info("TCK {} on {}: capabilities {}", getClass().getSimpleName(), fixture, caps);
        inClassSetup = true;
        try {
            setUpClass();
        } finally {
            inClassSetup = false;
        }
    }

    /** Hook for suite-wide resources (tracked and closed after the class). */
    void setUpClass() throws Exception {
    }

    /** Closes the clients, servers and transports a test opened, last opened first. */
    @AfterEach
    public final void closePerTest() {
        closeAll(perTest);
    }

    /** Closes what the suite's class setup opened, last opened first. */
    @org.junit.jupiter.api.AfterAll
    public final void closePerClass() {
        closeAll(perClass);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        Throwable first = null;
        while (!resources.isEmpty()) {
            AutoCloseable c = resources.pop();
            try {
                c.close();
            } catch (Throwable t) {
                LOG.warn("closing {} failed: {}", c, t.toString());
                if (first == null) {
                    first = t;
                }
            }
        }
        if (first != null) {
            throw new AssertionError("closing test resources failed: " + first, first);
        }
    }

    /** Closes {@code resource} after the current test (or after the class, when called from class setup). */
    <T extends AutoCloseable> T track(T resource) {
        (inClassSetup ? perClass : perTest).push(resource);
        return resource;
    }

    /** Runs {@code setup} so that what it {@linkplain #track tracks} is closed after the class, not the test. */
    void inClass(Runnable setup) {
        boolean was = inClassSetup;
        inClassSetup = true;
        try {
            setup.run();
        } finally {
            inClassSetup = was;
        }
    }

    /** @return a service name unique to this run, valid on every broker ([a-z0-9-]). */
    static String uniqueService(String prefix) {
        return "tck-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** @return the largest message body the suites use: the declared maximum, capped at 4 MiB. */
    int maxMessageBytes() {
        return Math.min(caps.maxMessageBytes(), MAX_TESTED_MESSAGE_BYTES);
    }

    Limits limits() {
        return new Limits(Math.max(64, maxMessageBytes()), Limits.DEFAULT.maxDepth(), Limits.DEFAULT.maxBatchSize());
    }

    RpcClient client() {
        return client(b -> {
        });
    }

    RpcClient client(Consumer<ClientConfig.Builder> customizer) {
        return client(fixture.uri(), customizer);
    }

    /** A client of the broker at {@code uri} (e.g. through a proxy), closed after the test. */
    RpcClient client(String uri, Consumer<ClientConfig.Builder> customizer) {
        ClientConfig.Builder b = ClientConfig.builder()
                .defaultTimeout(fixture.callTimeout())
                .readyTimeout(fixture.callTimeout())
                .limits(limits())
                .transportProperties(fixture.properties());
        customizer.accept(b);
        return track(Rpc.client(uri, b.build()));
    }

    /** A server, not started, closed after the test. */
    RpcServer server(Consumer<ServerConfig.Builder> customizer) {
        return server(fixture.uri(), customizer);
    }

    /** A server of the broker at {@code uri} (e.g. through a proxy), not started, closed after the test. */
    RpcServer server(String uri, Consumer<ServerConfig.Builder> customizer) {
        ServerConfig.Builder b = ServerConfig.builder()
                .limits(limits())
                .shutdownGrace(Duration.ofSeconds(5))
                .transportProperties(fixture.properties());
        customizer.accept(b);
        return track(Rpc.server(uri, b.build()));
    }

    RpcServer server() {
        return server(b -> {
        });
    }

    RawClient rawClient() {
        return track(new RawClient(fixture));
    }

    /** The client's calls awaiting completion (package-private in the core: read reflectively). */
    static int pendingCount(RpcClient client) throws Exception {
        java.lang.reflect.Method m = client.getClass().getDeclaredMethod("pendingCount");
        m.setAccessible(true);
        return (int) m.invoke(client);
    }

    ConditionFactory await() {
        return Awaitility.await().atMost(fixture.callTimeout()).pollInterval(Duration.ofMillis(20));
    }

    /** Waits for {@code future} within the call timeout, unwrapping its failure. */
    <T> T get(CompletableFuture<T> future) {
        return get(future, fixture.callTimeout());
    }

    /**
     * How much longer than a bound the kit waits before it calls a future hung. A call's own timeout fires after it
     * was handed to the broker (and a client may check timeouts on a tick), so waiting exactly the call timeout
     * would race with the timeout the test expects.
     */
    static final Duration COMPLETION_SLACK = Duration.ofSeconds(2);

    static <T> T get(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.plus(COMPLETION_SLACK).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + timeout + " + " + COMPLETION_SLACK
                    + " (a call must never hang)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Waits for {@code future} to fail and returns the {@link RpcException} it failed with. */
    static RpcException failure(CompletableFuture<?> future, Duration timeout) {
        return failure(future, timeout, "expected the call to fail");
    }

    /** As {@link #failure(CompletableFuture, Duration)}, explaining why a failure is expected. */
    static RpcException failure(CompletableFuture<?> future, Duration timeout, String why) {
        try {
            Object value = future.get(timeout.plus(COMPLETION_SLACK).toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError(why + ", but it returned " + value);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            assertThat(c).as("a failed call completes with an RpcException").isInstanceOf(RpcException.class);
            assertThat(c.getMessage()).as("error message").isNotBlank();
            return (RpcException) c;
        } catch (TimeoutException e) {
            throw new AssertionError("the call neither completed nor failed within " + timeout + " + "
                    + COMPLETION_SLACK);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    static JsonElement parse(String json) {
        return JsonParser.parseString(json);
    }

    /** Checks the shape of a JSON-RPC 2.0 response object and returns it. */
    static JsonObject response(JsonElement e) {
        assertThat(e.isJsonObject()).as("a response object: %s", e).isTrue();
        JsonObject o = e.getAsJsonObject();
        assertThat(o.has("jsonrpc") && o.get("jsonrpc").isJsonPrimitive()
                && "2.0".equals(o.get("jsonrpc").getAsString())).as("\"jsonrpc\":\"2.0\" in %s", o).isTrue();
        assertThat(o.has("id")).as("a response always has an id member (null when unknown): %s", o).isTrue();
        assertThat(o.has("result") ^ o.has("error")).as("exactly one of result and error: %s", o).isTrue();
        if (o.has("error")) {
            assertThat(o.get("error").isJsonObject()).as("error is an object: %s", o).isTrue();
            JsonObject err = o.getAsJsonObject("error");
            assertThat(err.has("code") && err.get("code").isJsonPrimitive()
                    && err.get("code").getAsJsonPrimitive().isNumber()).as("error.code is a number: %s", o).isTrue();
            assertThat(err.get("code").getAsBigDecimal().stripTrailingZeros().scale() <= 0)
                    .as("error.code is an integer: %s", o).isTrue();
            assertThat(err.has("message") && err.get("message").isJsonPrimitive()
                    && err.get("message").getAsJsonPrimitive().isString()).as("error.message is a string: %s", o)
                    .isTrue();
        }
        return o;
    }

    static JsonObject response(String json) {
        return response(parse(json));
    }

    static int errorCode(JsonObject response) {
        assertThat(response.has("error")).as("an error response: %s", response).isTrue();
        return response.getAsJsonObject("error").get("code").getAsInt();
    }

    /** Counts what the core reports, to check duplicates and late replies. */
    static final class CountingMetrics implements RpcMetrics {
        final AtomicLong lateReplies = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final ConcurrentHashMap<String, AtomicLong> clientOutcomes = new ConcurrentHashMap<>();

        @Override
        public void clientCall(String service, String method, String transport, String outcome, long nanos) {
            clientOutcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
        }

        @Override
        public void timeout(String service, String transport) {
            timeouts.incrementAndGet();
        }

        @Override
        public void lateReply(String transport) {
            lateReplies.incrementAndGet();
        }
    }
}
