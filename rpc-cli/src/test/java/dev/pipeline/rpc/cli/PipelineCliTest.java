package dev.pipeline.rpc.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The CLI end to end, in this JVM, against a real local Redis (the cheapest real broker): a {@code serve}d demo
 * service answers {@code call} and {@code notify}; errors are one line with the documented exit codes.
 */
class PipelineCliTest {
    private static final String SERVICE = "clitest";
    private static String broker;
    private static Cli.Background serve;

    @BeforeAll
    static void serveDemo() {
        broker = RedisBroker.shared().uri().toString();
        serve = new Cli.Background("--broker", broker, "serve", SERVICE);
        await().atMost(Duration.ofSeconds(60)).until(() -> serve.out().contains("serving") || !serve.alive());
        assertThat(serve.out()).as("serve output; err: %s", serve.err())
                .contains("serving " + SERVICE + " [add, echo, fail, log, logged, sleep, time] on " + broker);
    }

    @AfterAll
    static void stopServe() throws InterruptedException {
        if (serve != null) {
            Integer rc = serve.stop();
            assertThat(rc).isZero();
            assertThat(serve.out()).contains("stopped");
            assertThat(serve.err()).isEmpty();
        }
    }

    @Test
    void helpEverywhere() {
        Cli.Result top = Cli.run("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("serve", "call", "notify", "brokers", "example", "--broker", "PIPELINE_BROKER");
        assertThat(top.out()).contains("ping", "discover", "stats");
        for (String command : new String[] {"serve", "call", "notify", "brokers", "example", "ping", "discover",
                "stats"}) {
            Cli.Result r = Cli.run(command, "--help");
            assertThat(r.exitCode()).as(command).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: pipeline " + command);
        }
        assertThat(Cli.run("help", "call").out()).startsWith("Usage: pipeline call");
    }

    @Test
    void version() {
        Cli.Result r = Cli.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("pipeline ").doesNotContain("${");
    }

    @Test
    void callPrintsTheResultAsPrettyJson() {
        Cli.Result r = Cli.run("-b", broker, "call", SERVICE, "echo", "{\"a\":[1,2],\"b\":\"x\"}");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(String.format("{%n  \"a\": [%n    1,%n    2%n  ],%n  \"b\": \"x\"%n}%n"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void argsAreJsonWhenTheyParseElseStrings() {
        assertThat(Cli.run("-b", broker, "call", SERVICE, "echo", "hello world").out().strip())
                .isEqualTo("\"hello world\"");
        assertThat(Cli.run("-b", broker, "call", SERVICE, "echo", "42").out().strip()).isEqualTo("42");
        assertThat(Cli.run("-b", broker, "call", SERVICE, "echo", "\"42\"").out().strip()).isEqualTo("\"42\"");
        assertThat(Cli.run("-b", broker, "call", SERVICE, "add", "1", "2.5").out().strip()).isEqualTo("3.5");
    }

    @Test
    void namedParamsAndCompactOutput() {
        Cli.Result r = Cli.run("call", SERVICE, "add", "--params", "{\"a\":40,\"b\":2}", "--broker", broker);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("42");
        Cli.Result c = Cli.run("-b", broker, "call", "--compact", SERVICE, "echo", "[1, {\"k\": null}]");
        assertThat(c.out()).isEqualTo(String.format("[1,{\"k\":null}]%n"));
    }

    @Test
    void jsonRpcErrorIsOneLineWithExitCodeOne() {
        Cli.Result r = Cli.run("-b", broker, "call", SERVICE, "fail", "boom");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_RPC_ERROR);
        assertThat(r.errLines()).containsExactly("error 1: boom");
        assertThat(r.out()).isEmpty();

        Cli.Result unknown = Cli.run("-b", broker, "call", SERVICE, "nope");
        assertThat(unknown.exitCode()).isEqualTo(PipelineCli.EXIT_RPC_ERROR);
        assertThat(unknown.errLines()).hasSize(1);
        assertThat(unknown.errLines().get(0)).startsWith("error -32601: ").contains("nope");

        Cli.Result badParams = Cli.run("-b", broker, "call", SERVICE, "add", "1");
        assertThat(badParams.errLines()).hasSize(1);
        assertThat(badParams.errLines().get(0)).startsWith("error -32602: ");
    }

    @Test
    void pingDiscoverAndStatsAnswerFromALiveInstance() {
        // Redis lists a consumer once it has read a message
        assertThat(Cli.run("-b", broker, "call", SERVICE, "echo", "x").exitCode()).isZero();
        Cli.Result ping = Cli.run("-b", broker, "ping", "--compact", SERVICE);
        assertThat(ping.exitCode()).as(ping.err()).isZero();
        JsonObject p = JsonParser.parseString(ping.out()).getAsJsonObject();
        assertThat(p.get("service").getAsString()).isEqualTo(SERVICE);
        assertThat(p.get("instance").getAsString()).isNotBlank();
        assertThat(p.get("version").getAsString()).isNotEqualTo("unknown");
        assertThat(p.getAsJsonArray("members")).as("the serve command's consumer").hasSize(1);

        Cli.Result discover = Cli.run("-b", broker, "discover", SERVICE);
        assertThat(discover.exitCode()).as(discover.err()).isZero();
        JsonObject doc = JsonParser.parseString(discover.out()).getAsJsonObject();
        assertThat(doc.get("openrpc").getAsString()).isEqualTo("1.3.2");
        assertThat(doc.getAsJsonArray("methods").toString()).contains("\"name\":\"echo\"", "\"name\":\"add\"");

        Cli.Result stats = Cli.run("-b", broker, "stats", "--compact", SERVICE);
        assertThat(stats.exitCode()).as(stats.err()).isZero();
        JsonObject st = JsonParser.parseString(stats.out()).getAsJsonObject();
        assertThat(st.get("instance")).isEqualTo(p.get("instance"));
        assertThat(st.getAsJsonObject("methods").getAsJsonObject("echo").get("calls").getAsLong()).isPositive();
    }

    @Test
    void pingWithoutALiveInstanceExitsNonZero() {
        Cli.Result r = Cli.run("-b", broker, "ping", "--timeout", "2s", "no-such-service");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_RPC_ERROR);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("error -32005: ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void timeoutIsAJsonRpcErrorToo() {
        Cli.Result r = Cli.run("-b", broker, "call", "--timeout", "300ms", SERVICE, "sleep", "3000");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_RPC_ERROR);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("error -32001: ");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("-b", broker, "call", SERVICE, "fail", "boom", "--verbose");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_RPC_ERROR);
        assertThat(r.errLines().get(0)).isEqualTo("error 1: boom");
        assertThat(r.errLines().size()).isGreaterThan(1);
        assertThat(r.err()).contains("RpcException");
    }

    @Test
    void notifyRunsTheMethodWithoutAReply() {
        String note = "note-" + System.nanoTime();
        Cli.Result r = Cli.run("-b", broker, "notify", SERVICE, "log", note);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sent notification " + SERVICE + ".log");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Cli.run("-b", broker, "call", "--compact", SERVICE, "logged").out()).contains(note));
        assertThat(serve.out()).contains("[demo] log: " + note);
    }

    @Test
    void notifyRefusesNamedParams() {
        Cli.Result r = Cli.run("-b", broker, "notify", SERVICE, "log", "--params", "{\"message\":\"x\"}");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).contains("by position");
    }

    @Test
    void badUrisAreOneClearLine() {
        for (String uri : new String[] {"nonsense", "foo://host:1", "redis://", "redis://127.0.0.1:99999",
                "kafka://no-such-host.invalid:9092"}) {
            Cli.Result r = Cli.run("-b", uri, "call", SERVICE, "echo", "x");
            assertThat(r.exitCode()).as(uri).isEqualTo(PipelineCli.EXIT_FAILURE);
            assertThat(r.errLines()).as(uri).hasSize(1);
            assertThat(r.errLines().get(0)).as(uri).startsWith("error: ").contains(uri);
        }
    }

    @Test
    void unreachableBrokerFailsWithinTheConnectTimeout() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        for (String scheme : new String[] {"redis", "kafka"}) {
            String uri = scheme + "://127.0.0.1:" + closedPort;
            Cli.Result r = Cli.run("-b", uri, "call", "--connect-timeout", "1s", SERVICE, "echo", "x");
            assertThat(r.exitCode()).as(uri).isEqualTo(PipelineCli.EXIT_FAILURE);
            assertThat(r.errLines()).as(uri).containsExactly("error: cannot reach the broker at " + uri
                    + " (--broker) within 1 s (127.0.0.1:" + closedPort + ": Connection refused)");
        }
    }

    @Test
    void badCommandLinesAreOneLineWithExitCodeTwo() {
        for (String[] args : new String[][] {{"call"}, {"call", SERVICE}, {"bogus"},
                {"call", "--timeout", "soon", SERVICE, "echo"}, {"call", SERVICE, "echo", "1", "--params", "[1]"},
                {"call", SERVICE, "echo", "--params", "42"}, {"example", "nope"}, {"example", "simple", "rabbitmq"}}) {
            Cli.Result r = Cli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(PipelineCli.EXIT_USAGE);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.errLines().get(0)).startsWith("error: ").contains("--help");
        }
    }

    @Test
    void aBareCommandPrintsTheUsageWithExitCodeTwo() {
        Cli.Result r = Cli.run();
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("Usage: pipeline ").doesNotContain("Exception")
                .contains("serve", "call", "notify", "brokers", "bench", "soak", "example", "PIPELINE_BROKER");
    }

    @Test
    void theEnvironmentNamesTheBrokerOfEveryCommand() {
        Map<String, String> env = Map.of(PipelineCli.BROKER_ENV, broker);
        Cli.Result call = Cli.runWith(env, "call", SERVICE, "echo", "from the environment");
        assertThat(call.exitCode()).as(call.err()).isZero();
        assertThat(call.out().strip()).isEqualTo("\"from the environment\"");
        Cli.Result notify = Cli.runWith(env, "notify", SERVICE, "log", "env");
        assertThat(notify.exitCode()).as(notify.err()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> Cli.run("-b", broker, "call", SERVICE, "logged").out()
                .contains("env"));
    }

    @Test
    void anUnreachableBrokerFromTheEnvironmentIsNamedAsSuch() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String uri = "redis://127.0.0.1:" + closedPort;
        Map<String, String> env = Map.of(PipelineCli.BROKER_ENV, uri);
        String expected = "error: cannot reach the broker at " + uri + " ($PIPELINE_BROKER)";
        for (String[] args : new String[][] {{"call", "--connect-timeout", "1s", SERVICE, "echo", "x"},
                {"notify", "--connect-timeout", "1s", SERVICE, "log", "x"}, {"serve", "--connect-timeout", "1s"},
                {"example", "simple"}}) {
            Cli.Result r = Cli.runWith(env, args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(PipelineCli.EXIT_FAILURE);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.errLines().get(0)).as(String.join(" ", args)).startsWith(expected);
        }
        // --broker wins over the environment
        Cli.Result flag = Cli.runWith(env, "-b", broker, "call", SERVICE, "echo", "flag");
        assertThat(flag.exitCode()).as(flag.err()).isZero();
    }

    @Test
    void theToolsCommandsSayWhichJarHasThem() {
        for (String command : PipelineCli.TOOL_COMMANDS) {
            Cli.Result r = Cli.run(command, "--some-flag");
            assertThat(r.exitCode()).as(command).isEqualTo(PipelineCli.EXIT_FAILURE);
            assertThat(r.errLines()).as(command).hasSize(1);
            assertThat(r.errLines().get(0)).as(command).contains("pipeline-tools.jar", "./pipeline " + command);
            assertThat(Cli.run(command, "--help").out()).as(command).startsWith("Usage: pipeline " + command)
                    .contains("pipeline-tools.jar");
        }
    }

    @Test
    void serveAClassByName() throws InterruptedException {
        try (Cli.Background counter = new Cli.Background("-b", broker, "serve", "--class", Counter.class.getName())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> counter.out().contains("serving") || !counter.alive());
            assertThat(counter.out()).contains("serving counter [increment, value]");
            assertThat(Cli.run("-b", broker, "call", "counter", "increment", "5").out().strip()).isEqualTo("5");
            assertThat(Cli.run("-b", broker, "call", "counter", "increment", "--params", "{\"by\":2}").out().strip())
                    .isEqualTo("7");
            assertThat(counter.stop()).isZero();
        }
    }

    @Test
    void serveFinishesInFlightWorkWhenStopped() throws Exception {
        try (Cli.Background grace = new Cli.Background("-b", broker, "serve", "grace")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> grace.out().contains("serving") || !grace.alive());
            CompletableFuture<Cli.Result> call = CompletableFuture.supplyAsync(
                    () -> Cli.run("-b", broker, "call", "grace", "sleep", "1500"));
            await().atMost(Duration.ofSeconds(30)).until(() -> grace.out().contains("[demo] sleep: 1500 ms"));
            assertThat(grace.stop()).isZero();
            assertThat(grace.out()).contains("stopped");
            Cli.Result r = call.get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("\"slept 1500 ms\"");
        }
    }

    @Test
    void serveAMissingClassFailsInOneLine() {
        Cli.Result r = Cli.run("-b", broker, "serve", "--class", "com.example.NoSuchService");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_FAILURE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("error: class com.example.NoSuchService is not on the class path");

        Cli.Result noCtor = Cli.run("-b", broker, "serve", "--class", DemoService.class.getName());
        assertThat(noCtor.errLines()).containsExactly("error: class " + DemoService.class.getName()
                + " has no public no-argument constructor");
    }
}
