package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.annotations.SerializedName;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.pipeline.rpc.json.Codec;
import dev.pipeline.rpc.json.JsonOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static dev.pipeline.rpc.ServerTestSupport.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The built-in methods: rpc.ping, rpc.discover (an OpenRPC document valid against the OpenRPC meta-schema, whose
 * JSON Schemas describe the values the codec writes) and rpc.stats.
 */
class IntrospectionTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    public enum Color {
        RED, @SerializedName("verde") GREEN
    }

    public record Item(String name, int quantity, BigDecimal price, Optional<String> note, Color color) {
    }

    /** A recursive bean. */
    public static class Node {
        public String label;
        public int weight;
        public List<Node> children = new ArrayList<>();
        public transient String ignored;
        public static String alsoIgnored;
    }

    public static class Page<T> {
        public List<T> items;
        public long total;
    }

    /** Recursive and generic. */
    public static class Tree<T> {
        public T value;
        public List<Tree<T>> children;
    }

    /** A type that only grows as it unfolds. */
    public static class Growing<T> {
        public T value;
        public Growing<List<T>> next;
    }

    public static class Shop {
        public Tree<Item> forest(Growing<String> growing) {
            return null;
        }

        public int add(int a, int b) {
            return a + b;
        }

        public Item item(String name, Optional<Integer> quantity) {
            return new Item(name, quantity.orElse(1), new BigDecimal("9.99"), Optional.empty(), Color.GREEN);
        }

        public Page<Item> page(Map<String, Long> filter, Set<Color> colors, byte[] blob, BigInteger big) {
            Page<Item> p = new Page<>();
            p.items = List.of(item("a", Optional.of(2)));
            p.total = 1;
            return p;
        }

        public Node tree(Node root) {
            return root;
        }

        public CompletableFuture<List<Item>> later(char c, double[] values) {
            return CompletableFuture.completedFuture(List.of());
        }

        public void forget(long id) {
        }

        public String greet(String name) {
            return "hello " + name;
        }

        public String greet(String name, String greeting) {
            return greeting + " " + name;
        }

        public int fail() {
            throw new IllegalStateException("boom");
        }
    }

    private DefaultRpcServer server;

    @BeforeEach
    void setUp() {
        server = DefaultRpcServer.dispatchOnly(ServerConfig.builder().build());
        server.expose("shop", new Shop());
        server.handle("shop", "raw", p -> p.size());
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private JsonObject call(String method, String params) {
        String request = "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\"" + (params == null ? ""
                : ",\"params\":" + params) + ",\"id\":1}";
        return JsonParser.parseString(dispatch(server, "shop", request)).getAsJsonObject();
    }

    private JsonObject result(String method, String params) {
        JsonObject reply = call(method, params);
        assertThat(reply.has("result")).as("reply %s", reply).isTrue();
        return reply.getAsJsonObject("result");
    }

    private JsonObject discover() {
        return result("rpc.discover", null);
    }

    private static JsonObject method(JsonObject doc, String name) {
        for (JsonElement m : doc.getAsJsonArray("methods")) {
            if (m.getAsJsonObject().get("name").getAsString().equals(name)) {
                return m.getAsJsonObject();
            }
        }
        throw new AssertionError("no method " + name + " in " + doc);
    }

    private static JsonNode jackson(JsonElement json) {
        return JACKSON.readTree(JsonOutput.toText(json));
    }

    private static SchemaRegistry registry() {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    }

    private static List<Error> validateDocument(JsonObject doc) throws IOException {
        try (InputStream in = IntrospectionTest.class.getResourceAsStream("/openrpc/schema.json")) {
            assertThat(in).as("the OpenRPC meta-schema").isNotNull();
            // it refers to draft-07 by an https address; draft-07's id, under which the validator's jar holds it,
            // is the http one
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("https://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema#");
            Schema meta = registry().getSchema(text);
            return meta.validate(jackson(doc));
        }
    }

    /** Validates {@code value} against {@code schema}, its $refs resolved in the document's components. */
    private static List<Error> validateValue(JsonObject doc, JsonObject schema, Object value) {
        JsonObject root = schema.deepCopy();
        root.addProperty("$schema", "http://json-schema.org/draft-07/schema#");
        JsonObject components = new JsonObject();
        components.add("schemas", doc.getAsJsonObject("components").getAsJsonObject("schemas"));
        root.add("components", components);
        return registry().getSchema(jackson(root)).validate(jackson(Codec.toJson(value)));
    }

    private static JsonObject paramSchema(JsonObject method, int i) {
        return method.getAsJsonArray("params").get(i).getAsJsonObject().getAsJsonObject("schema");
    }

    private static JsonObject resultSchema(JsonObject method) {
        return method.getAsJsonObject("result").getAsJsonObject("schema");
    }

    @Test
    void theCountingMetricsPassEveryEventOnToTheUsersMetrics() {
        // a method of RpcMetrics the wrapper does not override would be swallowed by the interface's no-op default
        Class<?> recording = java.util.Arrays.stream(Introspection.class.getDeclaredClasses())
                .filter(c -> c.getSimpleName().equals("Recording")).findFirst().orElseThrow();
        for (java.lang.reflect.Method m : RpcMetrics.class.getMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            assertThat(java.util.Arrays.stream(recording.getDeclaredMethods())
                    .anyMatch(d -> d.getName().equals(m.getName())
                            && java.util.Arrays.equals(d.getParameterTypes(), m.getParameterTypes())))
                    .as("Introspection.Recording overrides RpcMetrics.%s", m.getName()).isTrue();
        }
    }

    @Test
    void discoverIsValidOpenRpc() throws IOException {
        JsonObject doc = discover();
        assertThat(validateDocument(doc)).as("meta-schema errors of %s", doc).isEmpty();
        assertThat(doc.get("openrpc").getAsString()).isEqualTo("1.3.2");
        assertThat(doc.getAsJsonObject("info").get("title").getAsString()).isEqualTo("shop");
        List<String> names = new ArrayList<>();
        doc.getAsJsonArray("methods").forEach(m -> names.add(m.getAsJsonObject().get("name").getAsString()));
        assertThat(names).containsExactly("add", "fail", "forest", "forget", "greet", "item", "later", "page", "raw",
                "tree");
        // every $ref points at a component that exists
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            String[] parts = ref.substring(2).split("/");
            JsonObject target = doc;
            for (String part : parts) {
                assertThat(target.has(part)).as("%s resolves", ref).isTrue();
                target = target.getAsJsonObject(part);
            }
        }
    }

    /** A document that breaks the meta-schema is refused: the validation above is not vacuous. */
    @Test
    void metaSchemaRefusesBrokenDocuments() throws IOException {
        JsonObject doc = discover();
        doc.getAsJsonArray("methods").get(0).getAsJsonObject().remove("params");
        doc.addProperty("unexpected", 1);
        doc.addProperty("openrpc", "9.9.9");
        assertThat(validateDocument(doc)).hasSizeGreaterThanOrEqualTo(3);
    }

    private static void collectRefs(JsonElement e, List<String> out) {
        if (e instanceof JsonObject o) {
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                if (m.getKey().equals("$ref")) {
                    out.add(m.getValue().getAsString());
                } else {
                    collectRefs(m.getValue(), out);
                }
            }
        } else if (e instanceof JsonArray a) {
            a.forEach(x -> collectRefs(x, out));
        }
    }

    @Test
    void paramsAndResultsAreDescribedFromTheJavaTypes() {
        JsonObject doc = discover();
        JsonObject add = method(doc, "add");
        assertThat(add.get("paramStructure").getAsString()).isEqualTo("either");
        JsonArray params = add.getAsJsonArray("params");
        assertThat(params).hasSize(2);
        assertThat(params.get(0).getAsJsonObject().get("name").getAsString()).isEqualTo("a");
        assertThat(params.get(0).getAsJsonObject().get("required").getAsBoolean()).isTrue();
        assertThat(paramSchema(add, 0).get("type").getAsString()).isEqualTo("integer");
        assertThat(paramSchema(add, 0).get("maximum").getAsLong()).isEqualTo(Integer.MAX_VALUE);
        assertThat(resultSchema(add).get("type").getAsString()).isEqualTo("integer");

        JsonObject item = method(doc, "item");
        assertThat(item.getAsJsonArray("params").get(1).getAsJsonObject().get("required").getAsBoolean())
                .as("an Optional param may be left out").isFalse();
        assertThat(resultSchema(item).get("$ref").getAsString()).isEqualTo("#/components/schemas/Item");
        JsonObject itemSchema = doc.getAsJsonObject("components").getAsJsonObject("schemas")
                .getAsJsonObject("Item");
        assertThat(itemSchema.getAsJsonArray("required").toString())
                .isEqualTo("[\"name\",\"quantity\",\"price\",\"color\"]");
        assertThat(itemSchema.getAsJsonObject("properties").getAsJsonObject("price").get("type").getAsString())
                .isEqualTo("number");
        JsonObject color = doc.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject("Color");
        assertThat(color.getAsJsonArray("enum").toString()).isEqualTo("[\"RED\",\"verde\"]");

        JsonObject node = doc.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject("Node");
        assertThat(node.getAsJsonObject("properties").keySet()).containsExactly("label", "weight", "children");
        assertThat(node.getAsJsonObject("properties").getAsJsonObject("children").getAsJsonObject("items")
                .get("$ref").getAsString()).as("a recursive type refers to itself").isEqualTo(
                "#/components/schemas/Node");
        assertThat(node.getAsJsonArray("required").toString()).isEqualTo("[\"weight\"]");

        JsonObject page = method(doc, "page");
        assertThat(paramSchema(page, 0).get("type").getAsString()).isEqualTo("object");
        assertThat(paramSchema(page, 0).getAsJsonObject("additionalProperties").get("type").getAsString())
                .isEqualTo("integer");
        assertThat(paramSchema(page, 1).get("uniqueItems").getAsBoolean()).isTrue();
        assertThat(paramSchema(page, 2).get("type").getAsString()).isEqualTo("array");
        assertThat(paramSchema(page, 3).get("type").getAsString()).isEqualTo("integer");
        assertThat(resultSchema(page).get("$ref").getAsString()).isEqualTo("#/components/schemas/PageOfItem");

        JsonObject later = method(doc, "later");
        assertThat(resultSchema(later).get("type").getAsString()).as("the value of the future").isEqualTo("array");
        assertThat(paramSchema(later, 0).get("maxLength").getAsInt()).isEqualTo(1);
        assertThat(resultSchema(method(doc, "forget")).get("type").getAsString()).isEqualTo("null");

        JsonObject greet = method(doc, "greet");
        assertThat(greet.getAsJsonArray("x-overloads")).hasSize(2);
        assertThat(greet.getAsJsonArray("params")).hasSize(2);
        assertThat(greet.getAsJsonArray("params").get(0).getAsJsonObject().get("required").getAsBoolean())
                .isTrue();
        assertThat(greet.getAsJsonArray("params").get(1).getAsJsonObject().get("required").getAsBoolean())
                .as("only the two-param overload takes it").isFalse();

        JsonObject forest = method(doc, "forest");
        assertThat(resultSchema(forest).get("$ref").getAsString()).isEqualTo("#/components/schemas/TreeOfItem");
        JsonObject tree = doc.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject("TreeOfItem");
        assertThat(tree.getAsJsonObject("properties").getAsJsonObject("value").get("$ref").getAsString())
                .isEqualTo("#/components/schemas/Item");
        assertThat(tree.getAsJsonObject("properties").getAsJsonObject("children").getAsJsonObject("items")
                .get("$ref").getAsString()).as("a generic recursive type refers to itself")
                .isEqualTo("#/components/schemas/TreeOfItem");
        assertThat(paramSchema(forest, 0).get("$ref").getAsString()).isEqualTo("#/components/schemas/GrowingOfString");

        JsonObject raw = method(doc, "raw");
        assertThat(raw.getAsJsonArray("params")).isEmpty();
        assertThat(resultSchema(raw).size()).as("a handler's result: any value").isZero();
        assertThat(add.getAsJsonArray("errors")).hasSize(3);
    }

    @Test
    void schemasDescribeTheValuesTheCodecWrites() {
        JsonObject doc = discover();
        Shop shop = new Shop();
        Item full = new Item("a", 2, new BigDecimal("1.50"), Optional.of("n"), Color.GREEN);
        assertThat(validateValue(doc, resultSchema(method(doc, "item")), full)).isEmpty();
        assertThat(validateValue(doc, resultSchema(method(doc, "page")), shop.page(Map.of(), Set.of(), null,
                null))).isEmpty();
        Node root = new Node();
        root.label = "root";
        Node child = new Node();
        child.label = "child";
        root.children.add(child);
        assertThat(validateValue(doc, resultSchema(method(doc, "tree")), root)).isEmpty();
        assertThat(validateValue(doc, paramSchema(method(doc, "page"), 0), Map.of("min", 3L))).isEmpty();
        // and they refuse what the codec would not read
        assertThat(validateValue(doc, resultSchema(method(doc, "item")), Map.of("name", "a"))).isNotEmpty();
        assertThat(validateValue(doc, paramSchema(method(doc, "add"), 0), "one")).isNotEmpty();
        assertThat(validateValue(doc, paramSchema(method(doc, "add"), 0), 1L << 40)).isNotEmpty();
        assertThat(validateValue(doc, paramSchema(method(doc, "page"), 1), List.of("BLUE"))).isNotEmpty();
    }

    @Test
    void pingAnswersWithTheInstanceAndVersion() {
        JsonObject ping = result("rpc.ping", null);
        assertThat(ping.get("service").getAsString()).isEqualTo("shop");
        assertThat(ping.get("instance").getAsString()).isNotBlank();
        assertThat(ping.get("version").getAsString()).as("from version.properties").matches("\\d+\\.\\d+.*");
        assertThat(ping.get("uptimeMs").getAsLong()).isNotNegative();
        assertThat(result("rpc.ping", "[]").get("instance")).isEqualTo(ping.get("instance"));
        assertThat(result("rpc.discover", null).getAsJsonObject("info").get("version").getAsString())
                .isEqualTo(ping.get("version").getAsString());
    }

    @Test
    void statsCountCallsAndErrorsPerMethod() {
        for (int i = 0; i < 5; i++) {
            assertThat(call("add", "[1,2]").get("result").getAsInt()).isEqualTo(3);
        }
        call("add", "[\"x\",2]");
        call("fail", null);
        call("nope", null);
        JsonObject stats = result("rpc.stats", null);
        assertThat(stats.get("instance")).isEqualTo(result("rpc.ping", null).get("instance"));
        assertThat(stats.get("inFlight").getAsInt()).as("the rpc.stats call itself").isGreaterThanOrEqualTo(1);
        JsonObject methods = stats.getAsJsonObject("methods");
        JsonObject add = methods.getAsJsonObject("add");
        assertThat(add.get("calls").getAsLong()).isEqualTo(6);
        assertThat(add.get("errors").getAsLong()).isEqualTo(1);
        JsonObject latency = add.getAsJsonObject("latencyMs");
        assertThat(latency.get("p50").getAsDouble()).isLessThanOrEqualTo(latency.get("p99").getAsDouble())
                .isLessThanOrEqualTo(latency.get("max").getAsDouble());
        assertThat(methods.getAsJsonObject("fail").get("errors").getAsLong()).isEqualTo(1);
        assertThat(methods.getAsJsonObject("greet").get("calls").getAsLong()).as("registered, never called")
                .isZero();
        assertThat(methods.getAsJsonObject("unknown").get("calls").getAsLong()).isEqualTo(1);
    }

    @Test
    void otherReservedNamesAreStillUnknownAndCannotBeRegistered() {
        for (String name : List.of("rpc.other", "rpc.Ping", "RPC.ping", " rpc.ping", "rpc.discover ")) {
            assertThat(call(name, null).getAsJsonObject("error").get("code").getAsInt()).as(name)
                    .isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
        }
        assertThatThrownBy(() -> server.handle("shop", "rpc.ping", p -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        String noService = dispatch(server, "nope", "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.ping\",\"id\":1}");
        assertThat(JsonParser.parseString(noService).getAsJsonObject().getAsJsonObject("error").get("code")
                .getAsInt()).as("only registered services answer").isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
    }

    @Test
    void latencyRecorderPercentilesAreWithinAnEighth() {
        LatencyRecorder r = new LatencyRecorder();
        for (long v = 1; v <= 100_000; v++) {
            r.record(v * 1_000);
        }
        LatencyRecorder.Snapshot s = r.snapshot();
        assertThat(s.count()).isEqualTo(100_000);
        assertThat(s.quantile(0.5)).isBetween(50_000_000L, 50_000_000L * 9 / 8);
        assertThat(s.quantile(0.99)).isBetween(99_000_000L, 99_000_000L * 9 / 8);
        assertThat(s.quantile(1.0)).isEqualTo(100_000_000L);
        for (long v : new long[]{0, 1, 7, 8, 9, 1023, 1024, Long.MAX_VALUE}) {
            int i = LatencyRecorder.index(v);
            assertThat(LatencyRecorder.upper(i)).as("bucket of %d", v).isGreaterThanOrEqualTo(v);
            assertThat(i == 0 || LatencyRecorder.upper(i - 1) < v).as("bucket of %d", v).isTrue();
        }
    }
}
