package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.internal.LazilyParsedNumber;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonInputException;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random, mutated, truncated and deeply nested messages at the raw entry point. For every input: no exception
 * escapes, the reply is strict UTF-8 JSON made only of valid JSON-RPC 2.0 responses, and the reply is exactly what
 * the specification asks for: none for notifications and all-notification batches, one response per request with
 * its id echoed exactly and in request order, one error object (id null) for unparseable or over-limit input.
 */
class DispatchFuzzTest {
    private static final Limits LIMITS = new Limits(4096, 12, 20);
    private static final Limits READ_BACK = new Limits(1 << 24, 1000, 100_000);
    private static final List<String> METHODS = List.of("add", "echo", "greet", "fail", "later", "nothing",
            "handler", "nope", "rpc.x", "", "add ", "ECHO");
    private static DefaultRpcServer server;
    /** Handler runs, counted by every exposed method: an input answered with one whole-message error runs none. */
    private static final java.util.concurrent.atomic.AtomicLong RUNS = new java.util.concurrent.atomic.AtomicLong();

    public static class Fuzzy {
        public int add(int a, int b) {
            RUNS.incrementAndGet();
            return a + b;
        }

        public Object echo(Object value) {
            RUNS.incrementAndGet();
            return value;
        }

        public String greet(String name, Optional<String> title) {
            RUNS.incrementAndGet();
            return title.orElse("") + name;
        }

        public int fail(String why) {
            RUNS.incrementAndGet();
            throw new IllegalStateException("fuzz " + why);
        }

        public CompletableFuture<Object> later(Object value) {
            RUNS.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> value);
        }

        public void nothing() {
            RUNS.incrementAndGet();
        }
    }

    @BeforeContainer
    static void start() {
        server = DefaultRpcServer.dispatchOnly(ServerConfig.builder().limits(LIMITS).concurrency(4).build());
        server.expose("fz", new Fuzzy());
        server.handle("fz", "handler", p -> {
            RUNS.incrementAndGet();
            return p.size() > 0 ? p.get(0, Object.class) : p.json();
        });
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    // ---------------------------------------------------------------- properties

    @Property(tries = 800)
    void randomBytes(@ForAll("bytes") byte[] message) {
        check(message);
    }

    @Property(tries = 800)
    void randomJsonTrees(@ForAll("json") JsonElement message) {
        check(JsonOutput.toBytes(message));
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE) // edge cases would swamp the weights
    void requestLikeMessages(@ForAll("message") JsonElement message) {
        check(JsonOutput.toBytes(message));
    }

    @Property(tries = 700, edgeCases = EdgeCasesMode.NONE)
    void mutatedRequests(@ForAll("message") JsonElement message, @ForAll("mutations") List<int[]> mutations) {
        check(mutate(JsonOutput.toBytes(message), mutations));
    }

    @Property(tries = 250, edgeCases = EdgeCasesMode.NONE)
    void truncatedRequests(@ForAll("message") JsonElement message, @ForAll("fraction") double keep) {
        byte[] bytes = JsonOutput.toBytes(message);
        byte[] cut = new byte[(int) (bytes.length * keep)];
        System.arraycopy(bytes, 0, cut, 0, cut.length);
        check(cut);
    }

    @Property(tries = 200)
    void deeplyNested(@ForAll("depth") int depth, @ForAll boolean objects, @ForAll boolean closed) {
        StringBuilder params = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            params.append(objects ? "{\"a\":" : "[");
        }
        params.append('1');
        if (closed) {
            for (int i = 0; i < depth; i++) {
                params.append(objects ? '}' : ']');
            }
        }
        check(("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[" + params + "],\"id\":1}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The long run: {@code -Dpipeline.fuzz.inputs=N} inputs (default 2,000) drawn in turn from the random-bytes,
     * JSON-tree, request-like and mutated-request generators of seed {@value #LONG_RUN_SEED}, each checked by the same
     * oracle; prints the inputs by outcome. docs/operations.md gives the command and the counts of a million-input run.
     */
    @Property(tries = 1, seed = LONG_RUN_SEED, edgeCases = EdgeCasesMode.NONE)
    void manyInputs() {
        int n = Integer.getInteger("pipeline.fuzz.inputs", 2_000);
        java.util.Iterator<byte[]> raw = bytes().sampleStream().iterator();
        java.util.Iterator<JsonElement> trees = json().sampleStream().iterator();
        java.util.Iterator<JsonElement> requests = message().sampleStream().iterator();
        java.util.Iterator<List<int[]>> edits = mutations().sampleStream().iterator();
        java.util.Map<String, Long> outcomes = new java.util.TreeMap<>();
        long bytesIn = 0;
        long started = System.nanoTime();
        for (int i = 0; i < n; i++) {
            byte[] input = switch (i % 4) {
                case 0 -> raw.next();
                case 1 -> JsonOutput.toBytes(trees.next());
                case 2 -> JsonOutput.toBytes(requests.next());
                default -> mutate(JsonOutput.toBytes(requests.next()), edits.next());
            };
            bytesIn += input.length;
            outcomes.merge(check(input), 1L, Long::sum);
        }
        assertThat(outcomes.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(n);
        StringBuilder counts = new StringBuilder();
        outcomes.forEach((k, v) -> counts.append(String.format("%n  %-22s %,12d", k, v)));
        System.out.printf("DispatchFuzzTest.manyInputs: %,d inputs, %,d bytes from seed %s, all checked, in %,d s;"
                + " by outcome:%s%n", n, bytesIn, LONG_RUN_SEED, (System.nanoTime() - started) / 1_000_000_000L,
                counts);
    }

    /** The seed of {@link #manyInputs}. */
    static final String LONG_RUN_SEED = "20261207";

    // ---------------------------------------------------------------- cost linear in the input's size

    /** Input sizes are {@value #SMALL_UNITS} and 8 times as many units; an 8-fold input must cost less than 40-fold. */
    private static final int SMALL_UNITS = 2_000;
    private static final double MAX_RATIO = 40;

    /**
     * Hostile shapes, each made of one unit repeated: the bytes the whole dispatch path (parse, validate, call, encode
     * the reply) allocates on the calling thread ({@code ThreadMXBean#getCurrentThreadAllocatedBytes}, a count, not a
     * time) for 8 times the units must stay under {@value #MAX_RATIO} times that of the smaller input: linear work
     * gives about 8, quadratic about 64. The minimum of five measurements after three warm-ups of each size.
     */
    @Example
    void costIsLinearInTheInputSize() throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        assertThat(mx).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        java.util.Map<String, java.util.function.IntFunction<String>> shapes = new java.util.LinkedHashMap<>();
        shapes.put("long string", k -> call("[\"" + "A".repeat(k * 8) + "\"]", "1"));
        shapes.put("escapes", k -> call("[\"" + "\\\\n\\\\\\\"\\\\u2028\\\\ud83d\\\\ude00".repeat(k) + "\"]", "1"));
        shapes.put("non-ASCII", k -> call("[\"" + "é€😀\u2028".repeat(k) + "\"]", "1"));
        shapes.put("number array", k -> call("[[" + "1,-2.5,3e2,".repeat(k) + "0]]", "1"));
        shapes.put("long number", k -> call("[" + "1234567890".repeat(k / 2) + "]", "1"));
        shapes.put("object keys", k -> {
            StringBuilder s = new StringBuilder("[{");
            for (int i = 0; i < k; i++) {
                s.append(i == 0 ? "" : ",").append("\"key").append(i).append("\":").append(i);
            }
            return call(s.append("}]").toString(), "1");
        });
        shapes.put("batch", k -> "[" + String.join(",", java.util.Collections.nCopies(k / 8,
                call("[1]", "1"))) + "]");
        shapes.put("whitespace", k -> " ".repeat(k * 8) + call("[1]", "1") + " ".repeat(k * 8));
        shapes.put("long id", k -> call("[1]", "\"" + "i".repeat(k * 8) + "\""));
        shapes.put("long method", k -> "{\"jsonrpc\":\"2.0\",\"method\":\"" + "m".repeat(k * 8)
                + "\",\"params\":[],\"id\":1}");
        shapes.put("unterminated", k -> "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"" + "x".repeat(k * 8));
        shapes.put("nesting", k -> call("[" + "[".repeat(k / 20) + "1" + "]".repeat(k / 20) + "]", "1"));
        DefaultRpcServer big = DefaultRpcServer.dispatchOnly(ServerConfig.builder()
                .limits(new Limits(4 << 20, 1000, 100_000)).directExecutor().build());
        big.expose("fz", new Fuzzy());
        try {
            List<String> failures = new ArrayList<>();
            for (java.util.Map.Entry<String, java.util.function.IntFunction<String>> shape : shapes.entrySet()) {
                byte[] small = shape.getValue().apply(SMALL_UNITS).getBytes(StandardCharsets.UTF_8);
                byte[] large = shape.getValue().apply(8 * SMALL_UNITS).getBytes(StandardCharsets.UTF_8);
                long a = allocated(threads, big, small);
                long b = allocated(threads, big, large);
                double ratio = (double) b / Math.max(1, a);
                System.out.printf("DispatchFuzzTest.costIsLinearInTheInputSize: %-13s %,9d B -> %,10d B allocated;"
                        + " %,10d B -> %,11d B allocated: x%.1f%n", shape.getKey(), small.length, a, large.length, b,
                        ratio);
                if (ratio >= MAX_RATIO) {
                    failures.add(shape.getKey() + ": x" + String.format("%.1f", ratio));
                }
            }
            assertThat(failures).as("shapes whose cost grows faster than the input (8x the input, at least %.0fx the"
                    + " bytes allocated)", MAX_RATIO).isEmpty();
        } finally {
            big.close();
        }
    }

    private static String call(String params, String id) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":" + params + ",\"id\":" + id + "}";
    }

    /** The fewest bytes one dispatch of {@code message} allocated on this thread, of five after three warm-ups. */
    private static long allocated(com.sun.management.ThreadMXBean threads, DefaultRpcServer server, byte[] message)
            throws Exception {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            CompletableFuture<Optional<byte[]>> reply = server.dispatch("fz", message);
            long after = threads.getCurrentThreadAllocatedBytes();
            assertThat(reply).as("dispatched on the calling thread (direct executor), so all its work is counted")
                    .isDone();
            reply.get();
            if (i >= 3) {
                best = Math.min(best, after - before);
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- the oracle

    /**
     * Dispatches {@code message}, checks its reply against the specification, and checks that no handler ran for a
     * message answered with one error for the whole of it (unparseable, over a limit, not a request, unknown method).
     *
     * @return the outcome: the error's name for a single error response, {@code ok} for a single result,
     *     {@code batch} or {@code no reply}
     */
    private static String check(byte[] message) {
        Optional<byte[]> reply;
        long runsBefore = RUNS.get();
        try {
            reply = server.dispatch("fz", message).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("dispatch failed for " + show(message), e);
        }
        JsonElement answer = reply.map(DispatchFuzzTest::readBack).orElse(null);
        Statistics.label("reply").collect(kind(answer));
        String outcome = outcome(answer);
        if (outcome.startsWith("-326") && !outcome.startsWith("-32602") && !outcome.startsWith("-32603")) {
            // parse error, invalid request, method not found: refused before any handler could run (an earlier
            // input's handlers have all finished: its reply was awaited)
            assertThat(RUNS.get()).as("handler runs for %s, answered %s", show(message), outcome)
                    .isEqualTo(runsBefore);
        }
        JsonElement input;
        try {
            input = JsonInput.parse(message, LIMITS);
        } catch (JsonInputException e) {
            int code = e.kind() == JsonInputException.Kind.SYNTAX ? ErrorCodes.PARSE_ERROR : ErrorCodes.INVALID_REQUEST;
            assertSingleError(answer, code, message);
            return outcome;
        }
        if (input instanceof JsonArray batch) {
            if (batch.isEmpty() || batch.size() > LIMITS.maxBatchSize()) {
                assertSingleError(answer, ErrorCodes.INVALID_REQUEST, message);
                return outcome;
            }
            List<String> expectedIds = new ArrayList<>();
            for (JsonElement element : batch) {
                Messages.Validated v = Messages.validateRequest(element);
                if (!v.valid()) {
                    expectedIds.add(v.errorResponse().get("id").toString());
                } else if (!v.request().isNotification()) {
                    expectedIds.add(v.request().id().toString());
                }
            }
            if (expectedIds.isEmpty()) {
                assertThat(answer).as("no reply is due for %s", show(message)).isNull();
                return outcome;
            }
            assertThat(answer).as("reply to %s", show(message)).isInstanceOf(JsonArray.class);
            JsonArray responses = answer.getAsJsonArray();
            List<String> ids = new ArrayList<>();
            for (JsonElement r : responses) {
                ids.add(Messages.parseResponse(r).id().toString());
            }
            assertThat(ids).as("ids of the reply to %s", show(message)).isEqualTo(expectedIds);
            return outcome;
        }
        Messages.Validated v = Messages.validateRequest(input);
        if (v.valid() && v.request().isNotification()) {
            assertThat(answer).as("no reply is due for %s", show(message)).isNull();
            return outcome;
        }
        assertThat(answer).as("reply to %s", show(message)).isInstanceOf(JsonObject.class);
        Messages.Response response = Messages.parseResponse(answer);
        if (v.valid()) {
            assertThat(response.id().toString()).isEqualTo(v.request().id().toString());
        } else {
            assertThat(response.error()).isNotNull();
            assertThat(response.error().code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
            assertThat(response.id().toString()).isEqualTo(v.errorResponse().get("id").toString());
        }
        return outcome;
    }

    /** The outcome {@link #check} counts an answer as. */
    private static String outcome(JsonElement answer) {
        if (answer == null) {
            return "no reply";
        }
        if (answer.isJsonArray()) {
            return "batch";
        }
        JsonObject o = answer.getAsJsonObject();
        if (o.has("result")) {
            return "ok";
        }
        int code = o.getAsJsonObject("error").get("code").getAsInt();
        return switch (code) {
            case ErrorCodes.PARSE_ERROR -> "-32700 parse error";
            case ErrorCodes.INVALID_REQUEST -> "-32600 invalid request";
            case ErrorCodes.METHOD_NOT_FOUND -> "-32601 method not found";
            case ErrorCodes.INVALID_PARAMS -> "-32602 invalid params";
            case ErrorCodes.INTERNAL_ERROR -> "-32603 internal error";
            case ErrorCodes.SERVER_ERROR -> "-32000 handler threw";
            default -> code + " other";
        };
    }

    /** What a reply holds, for the statistics jqwik prints: shows the generators reach every path. */
    private static String kind(JsonElement answer) {
        if (answer == null) {
            return "none";
        }
        List<JsonElement> all = new ArrayList<>();
        if (answer instanceof JsonArray a) {
            a.forEach(all::add);
        } else {
            all.add(answer);
        }
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        for (JsonElement r : all) {
            JsonObject o = r.getAsJsonObject();
            kinds.add(o.has("result") ? "result" : o.getAsJsonObject("error").get("code").getAsString());
        }
        return (answer.isJsonArray() ? "batch " : "single ") + kinds;
    }

    private static void assertSingleError(JsonElement answer, int code, byte[] message) {
        assertThat(answer).as("reply to %s", show(message)).isInstanceOf(JsonObject.class);
        Messages.Response response = Messages.parseResponse(answer);
        assertThat(response.isError()).isTrue();
        assertThat(response.error().code()).isEqualTo(code);
        assertThat(response.id()).isEqualTo(JsonNull.INSTANCE);
    }

    private static JsonElement readBack(byte[] reply) {
        try {
            return JsonInput.parse(reply, READ_BACK); // strict UTF-8 and strict JSON
        } catch (JsonInputException e) {
            throw new AssertionError("the reply is not strict JSON: " + e.getMessage() + ": " + show(reply));
        }
    }

    private static String show(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        return s.length() > 300 ? s.substring(0, 300) + "...(" + bytes.length + " bytes)" : s;
    }

    private static byte[] mutate(byte[] bytes, List<int[]> mutations) {
        List<Byte> b = new ArrayList<>();
        for (byte x : bytes) {
            b.add(x);
        }
        for (int[] m : mutations) {
            int pos = b.isEmpty() ? 0 : Math.floorMod(m[1], b.size());
            switch (m[0]) {
                case 0 -> { // replace a byte
                    if (!b.isEmpty()) {
                        b.set(pos, (byte) m[2]);
                    }
                }
                case 1 -> b.add(pos, (byte) m[2]); // insert a byte
                case 2 -> { // delete a range
                    for (int i = 0; i < 1 + Math.floorMod(m[2], 8) && pos < b.size(); i++) {
                        b.remove(pos);
                    }
                }
                case 3 -> { // insert JSON punctuation
                    String punctuation = "{}[],:\"\\ 0-.eE";
                    b.add(pos, (byte) punctuation.charAt(Math.floorMod(m[2], punctuation.length())));
                }
                default -> { // duplicate a slice
                    int end = Math.min(b.size(), pos + 1 + Math.floorMod(m[2], 16));
                    b.addAll(end, new ArrayList<>(b.subList(pos, end)));
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.strings().withChars("{}[]\",:0123456789.-+eEtrufalsn \\u").ofMaxLength(120)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<Double> fraction() {
        return Arbitraries.doubles().between(0, 1);
    }

    @Provide
    Arbitrary<Integer> depth() {
        return Arbitraries.integers().between(1, 400);
    }

    @Provide
    Arbitrary<List<int[]>> mutations() {
        Arbitrary<int[]> one = Combinators.combine(Arbitraries.integers().between(0, 4),
                Arbitraries.integers(), Arbitraries.integers().between(-128, 255)).as((a, b, c) -> new int[]{a, b, c});
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    private static Arbitrary<JsonElement> scalar() {
        return Arbitraries.oneOf(
                Arbitraries.just(JsonNull.INSTANCE),
                Arbitraries.of(true, false).map(JsonPrimitive::new),
                Arbitraries.integers().map(JsonPrimitive::new),
                Arbitraries.of("9007199254740993", "12345678901234567890", "-0", "1.5", "1e400", "1E-7", "0.10",
                        "-12345678901234567890123456789").map(n -> new JsonPrimitive(new LazilyParsedNumber(n))),
                Arbitraries.strings().ofMaxLength(12).map(JsonPrimitive::new),
                Arbitraries.of("\u0000", "\uD83D\uDE00", "\uD800", "\uDFFF", "\u2028", "\"\\", "2.0", "add")
                        .map(JsonPrimitive::new));
    }

    @Provide
    Arbitrary<JsonElement> json() {
        return Arbitraries.recursive(DispatchFuzzTest::scalar, DispatchFuzzTest::container, 0, 5);
    }

    private static Arbitrary<JsonElement> container(Arbitrary<JsonElement> inner) {
        Arbitrary<JsonElement> array = inner.list().ofMaxSize(4).map(list -> {
            JsonArray a = new JsonArray();
            list.forEach(a::add);
            return a;
        });
        Arbitrary<JsonElement> object = Combinators.combine(
                Arbitraries.of("jsonrpc", "method", "params", "id", "a", "b", "value", "name").list().ofMaxSize(4),
                inner.list().ofSize(4)).as((keys, values) -> {
                    JsonObject o = new JsonObject();
                    for (int i = 0; i < keys.size(); i++) {
                        o.add(keys.get(i), values.get(i));
                    }
                    return o;
                });
        return Arbitraries.oneOf(inner, array, object);
    }

    /** Mostly request-shaped objects (valid or nearly), sometimes batches of them. */
    @Provide
    Arbitrary<JsonElement> message() {
        Arbitrary<JsonElement> request = request();
        Arbitrary<JsonElement> batch = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, request),
                net.jqwik.api.Tuple.of(1, scalar())).list().ofMaxSize(12).map(list -> {
                    JsonArray a = new JsonArray();
                    list.forEach(a::add);
                    return a;
                });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, request), net.jqwik.api.Tuple.of(2, batch));
    }

    private Arbitrary<JsonElement> request() {
        Arbitrary<Optional<JsonElement>> version = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.just(Optional.of(new JsonPrimitive("2.0")))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Optional.empty())),
                net.jqwik.api.Tuple.of(1, scalar().map(Optional::of)));
        Arbitrary<Optional<JsonElement>> method = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.of(METHODS).map(m -> Optional.of(new JsonPrimitive(m)))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Optional.empty())),
                net.jqwik.api.Tuple.of(1, scalar().map(Optional::of)));
        Arbitrary<Optional<JsonElement>> params = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Optional.empty())),
                net.jqwik.api.Tuple.of(8, json().filter(j -> j.isJsonArray() || j.isJsonObject()).map(Optional::of)),
                net.jqwik.api.Tuple.of(4, scalar().list().ofMaxSize(3).map(l -> {
                    JsonArray a = new JsonArray();
                    l.forEach(a::add);
                    return Optional.of(a);
                })),
                net.jqwik.api.Tuple.of(1, scalar().map(Optional::of)));
        Arbitrary<Optional<JsonElement>> id = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Optional.empty())),
                net.jqwik.api.Tuple.of(10, scalar().map(Optional::of)),
                net.jqwik.api.Tuple.of(1, json().map(Optional::of)));
        return Combinators.combine(version, method, params, id).as((v, m, p, i) -> {
            JsonObject o = new JsonObject();
            v.ifPresent(x -> o.add("jsonrpc", x));
            m.ifPresent(x -> o.add("method", x));
            p.ifPresent(x -> o.add("params", x));
            i.ifPresent(x -> o.add("id", x));
            return o;
        });
    }
}
