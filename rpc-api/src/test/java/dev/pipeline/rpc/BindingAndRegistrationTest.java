package dev.pipeline.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.pipeline.rpc.ServerTestSupport.dispatch;
import static dev.pipeline.rpc.ServerTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Params binding, exposure and registration rules. */
class BindingAndRegistrationTest {
    public record Point(int x, int y) {
    }

    public record Positive(int value) {
        public Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("value must be positive, got " + value);
            }
        }
    }

    public enum Color { RED, GREEN }

    public static class Shapes {
        public Point move(Point p, int dx, int dy) {
            return new Point(p.x() + dx, p.y() + dy);
        }

        public int sumX(List<Point> points) {
            return points.stream().mapToInt(Point::x).sum();
        }

        public Map<String, Integer> sizes(Map<String, List<Integer>> groups) {
            Map<String, Integer> out = new java.util.TreeMap<>();
            groups.forEach((k, v) -> out.put(k, v.size()));
            return out;
        }

        public String greet(String name, Optional<String> title) {
            return title.map(t -> t + " ").orElse("") + name;
        }

        public Optional<Point> origin(boolean present) {
            return present ? Optional.of(new Point(0, 0)) : Optional.empty();
        }

        public String flags(boolean a, Boolean b, long c, double d, char e, Color color) {
            return a + " " + b + " " + c + " " + d + " " + e + " " + color;
        }

        public int positive(Positive p) {
            return p.value();
        }

        public String raw(JsonElement any) {
            return any.toString();
        }

        public int add(int a, int b) {
            return a + b;
        }

        public int add(int a, int b, int c) {
            return a + b + c;
        }

        public String describe(int a) {
            return "one " + a;
        }

        public String describe(int a, int b, Optional<String> label) {
            return "two " + a + " " + b + " " + label.orElse("-");
        }

        public static int notExposedStatic() {
            return 0;
        }

        protected int notExposedProtected() {
            return 0;
        }

        int notExposedPackage() {
            return 0;
        }

        @Override
        public String toString() {
            return "Shapes";
        }
    }

    public static class Base {
        public String inherited() {
            return "from base";
        }
    }

    public static class Derived extends Base {
        public String own() {
            return "own";
        }
    }

    public interface Api {
        String hello(String who);

        default String twice(String s) {
            return s + s;
        }
    }

    public static class ApiImpl implements Api {
        @Override
        public String hello(String who) {
            return "hello " + who;
        }

        public String extra() {
            return "not in the interface";
        }
    }

    public static class Ambiguous {
        public int f(int a) {
            return a;
        }

        public int f(String a) {
            return 0;
        }
    }

    public interface Repo<T> {
        String put(T item);

        List<T> all(List<T> items);
    }

    public static class PointRepo implements Repo<Point> {
        @Override
        public String put(Point item) {
            return "point " + item.x();
        }

        @Override
        public List<Point> all(List<Point> items) {
            return items;
        }
    }

    public static class GenericBase<T> {
        public String store(T value) {
            return value.getClass().getSimpleName();
        }
    }

    public static class PointStore extends GenericBase<Point> {
    }

    private static final class Hidden {
        public int secret() {
            return 42;
        }
    }

    private final RpcServer server = DefaultRpcServer.dispatchOnly(ServerConfig.defaults());

    @AfterEach
    void tearDown() {
        server.close();
    }

    private JsonObject call(String service, String method, String params) {
        String reply = dispatch(server, service, "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\""
                + (params == null ? "" : ",\"params\":" + params) + ",\"id\":1}");
        return tree(reply).getAsJsonObject();
    }

    private String result(String method, String params) {
        JsonObject r = call("shapes", method, params);
        assertThat(r.has("error")).as("error in %s", r).isFalse();
        return r.get("result").toString();
    }

    private String invalidParams(String method, String params) {
        JsonObject r = call("shapes", method, params);
        assertThat(r.has("error")).as("expected an error, got %s", r).isTrue();
        assertThat(r.getAsJsonObject("error").get("code").getAsInt()).as("%s", r).isEqualTo(-32602);
        return r.getAsJsonObject("error").get("message").getAsString();
    }

    @Test
    void bindsRecordsListsMapsOptionalsAndScalars() {
        server.expose("shapes", new Shapes());
        assertThat(result("move", "[{\"x\":1,\"y\":2},10,20]")).isEqualTo("{\"x\":11,\"y\":22}");
        assertThat(result("move", "{\"dy\":20,\"p\":{\"x\":1,\"y\":2},\"dx\":10}")).isEqualTo("{\"x\":11,\"y\":22}");
        assertThat(result("sumX", "[[{\"x\":1,\"y\":0},{\"x\":2,\"y\":0}]]")).isEqualTo("3");
        assertThat(result("sizes", "[{\"a\":[1,2],\"b\":[]}]")).isEqualTo("{\"a\":2,\"b\":0}");
        assertThat(result("greet", "[\"Ada\"]")).isEqualTo("\"Ada\"");
        assertThat(result("greet", "[\"Ada\",null]")).isEqualTo("\"Ada\"");
        assertThat(result("greet", "[\"Ada\",\"Dr\"]")).isEqualTo("\"Dr Ada\"");
        assertThat(result("greet", "{\"name\":\"Ada\"}")).isEqualTo("\"Ada\"");
        assertThat(result("greet", "{\"name\":\"Ada\",\"title\":\"Dr\"}")).isEqualTo("\"Dr Ada\"");
        assertThat(result("origin", "[true]")).isEqualTo("{\"x\":0,\"y\":0}");
        assertThat(result("origin", "[false]")).isEqualTo("null");
        assertThat(result("flags", "[true,null,9007199254740993,0.5,\"z\",\"GREEN\"]"))
                .isEqualTo("\"true null 9007199254740993 0.5 z GREEN\"");
        assertThat(result("raw", "[{\"n\":12345678901234567890}]")).isEqualTo("\"{\\\"n\\\":12345678901234567890}\"");
    }

    @Test
    void typeMismatchesAreInvalidParamsNamingTheParam() {
        server.expose("shapes", new Shapes());
        assertThat(invalidParams("add", "[1,\"two\"]")).contains("param 'b'").contains("method 'add'");
        assertThat(invalidParams("add", "{\"a\":1,\"b\":1.5}")).contains("param 'b'").contains("1.5");
        assertThat(invalidParams("add", "[1,12345678901234567890]")).contains("param 'b'");
        assertThat(invalidParams("add", "[null,1]")).contains("param 'a'");
        assertThat(invalidParams("move", "[[1,2],0,0]")).contains("param 'p'");
        assertThat(invalidParams("flags", "[\"yes\",null,1,1,\"z\",\"RED\"]")).contains("param 'a'");
        assertThat(invalidParams("flags", "[true,null,{},1,\"z\",\"RED\"]")).contains("param 'c'");
        String constructorRefusal = invalidParams("positive", "[{\"value\":-1}]");
        // the type's own validation speaks to the caller: its IllegalArgumentException's message is passed on
        assertThat(constructorRefusal).contains("param 'p'").contains("invalid value: value must be positive, got -1")
                .doesNotContain("java.").doesNotContain("Positive");
    }

    @Test
    void missingAndExtraParams() {
        server.expose("shapes", new Shapes());
        assertThat(invalidParams("move", "[{\"x\":1,\"y\":2},10]")).contains("missing param 'dy'");
        assertThat(invalidParams("move", "{\"p\":{\"x\":1,\"y\":2},\"dx\":1}")).contains("missing param 'dy'");
        assertThat(invalidParams("greet", "[\"a\",\"b\",\"c\"]")).contains("takes 1 to 2 params, got 3");
        assertThat(invalidParams("origin", "[true,1]")).contains("takes 1 param, got 2");
        assertThat(invalidParams("greet", "{\"name\":\"a\",\"nmae\":\"b\"}")).contains("unknown param 'nmae'");
        assertThat(invalidParams("origin", null)).contains("missing param 'present'");
    }

    @Test
    void overloadsAreChosenByNumberOfParams() {
        server.expose("shapes", new Shapes());
        assertThat(result("add", "[1,2]")).isEqualTo("3");
        assertThat(result("add", "[1,2,3]")).isEqualTo("6");
        assertThat(result("add", "{\"a\":1,\"b\":2,\"c\":3}")).isEqualTo("6");
        assertThat(invalidParams("add", "[1]")).contains("no overload of method 'add' accepts 1 params")
                .contains("2, 3");
        assertThat(result("describe", "[1]")).isEqualTo("\"one 1\"");
        assertThat(result("describe", "[1,2]")).isEqualTo("\"two 1 2 -\"");
        assertThat(result("describe", "[1,2,\"x\"]")).isEqualTo("\"two 1 2 x\"");
        assertThat(result("describe", "{\"a\":1,\"b\":2}")).isEqualTo("\"two 1 2 -\"");
        assertThat(invalidParams("describe", "[1,2,3,4]")).contains("no overload");
    }

    @Test
    void sameArityOverloadsAreRejectedAtRegistration() {
        assertThatThrownBy(() -> server.expose("amb", new Ambiguous()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("f(int)").hasMessageContaining("f(java.lang.String)")
                .hasMessageContaining("both take 1 params");
    }

    @Test
    void exposesPublicInstanceMethodsButNotObjectsStaticOrNonPublic() {
        server.expose("shapes", new Shapes());
        for (String m : List.of("toString", "hashCode", "equals", "getClass", "notify", "wait",
                "notExposedStatic", "notExposedProtected", "notExposedPackage")) {
            assertThat(call("shapes", m, "[]").getAsJsonObject("error").get("code").getAsInt()).as(m)
                    .isEqualTo(-32601);
        }
        server.expose("derived", new Derived());
        assertThat(call("derived", "inherited", null).getAsJsonObject("error").get("code").getAsInt())
                .isEqualTo(-32601);
        assertThat(call("derived", "own", null).get("result").getAsString()).isEqualTo("own");
        server.exposeInherited("derived2", new Derived());
        assertThat(call("derived2", "inherited", null).get("result").getAsString()).isEqualTo("from base");
        assertThat(call("derived2", "own", null).get("result").getAsString()).isEqualTo("own");
        assertThat(call("derived2", "getClass", null).getAsJsonObject("error").get("code").getAsInt())
                .isEqualTo(-32601);
    }

    /** Every method of this class records that it ran; none of them may be reachable but {@code allowed}. */
    public static class Guarded extends Base implements AutoCloseable {
        static final java.util.concurrent.atomic.AtomicInteger RAN = new java.util.concurrent.atomic.AtomicInteger();

        public String allowed() {
            return "ok";
        }

        @Override
        public void close() {
            RAN.incrementAndGet();
        }

        @Override
        public String toString() {
            RAN.incrementAndGet();
            return "guarded";
        }

        @Override
        public int hashCode() {
            RAN.incrementAndGet();
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            RAN.incrementAndGet();
            return false;
        }

        public static int statics() {
            RAN.incrementAndGet();
            return 0;
        }

        @Override
        public String inherited() {
            return super.inherited(); // declared here, so exposed: the test uses "fromBase" for the inherited case
        }
    }

    public static class BaseWithMore {
        public String fromBase() {
            Guarded.RAN.incrementAndGet();
            return "base";
        }
    }

    public static class GuardedChild extends BaseWithMore implements java.io.Closeable {
        public String allowed() {
            return "ok";
        }

        @Override
        public void close() {
            Guarded.RAN.incrementAndGet();
        }
    }

    public interface ClosingApi extends AutoCloseable {
        String allowed();
    }

    public interface DeclaresClose extends AutoCloseable {
        @Override
        void close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"getClass", "hashCode", "equals", "wait", "notify", "notifyAll", "toString", "close",
            "fromBase", "statics", "rpc.x", " rpc.x", "RPC.discover", "rpc.describe", "rpc.ping ", "a.b", "allowed ",
            " allowed", "Allowed", "allowed\u0000", "allowed.", "a-b"})
    void onlyWhatTheServiceDeclaresIsCallable(String method) {
        Guarded.RAN.set(0);
        server.expose("g", new Guarded());
        server.expose("child", new GuardedChild());
        server.expose("iface", ClosingApi.class, new ClosingApiImpl());
        server.handle("h", "x", p -> Guarded.RAN.incrementAndGet());
        for (String service : List.of("g", "child", "iface", "h")) {
            String json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" + new com.google.gson.JsonPrimitive(method) + ",\"params\":[]}";
            String reply = ServerTestSupport.dispatch(server, service, json);
            assertThat(ServerTestSupport.tree(reply).getAsJsonObject().getAsJsonObject("error").get("code").getAsInt())
                    .as("%s.%s: %s", service, method, reply).isEqualTo(-32601);
        }
        assertThat(Guarded.RAN.get()).as("no user code ran").isZero();
        assertThat(ClosingApiImpl.CLOSED.get()).isZero();
        assertThat(call("g", "allowed", "[]").get("result").getAsString()).isEqualTo("ok");
        assertThat(call("iface", "allowed", "[]").get("result").getAsString()).isEqualTo("ok");
    }

    public static class ClosingApiImpl implements ClosingApi, DeclaresClose {
        static final java.util.concurrent.atomic.AtomicInteger CLOSED = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public String allowed() {
            return "ok";
        }

        @Override
        public void close() {
            CLOSED.incrementAndGet();
        }
    }

    @Test
    void closeIsCallableOnlyWhenTheExposedInterfaceDeclaresIt() {
        ClosingApiImpl.CLOSED.set(0);
        server.expose("declares", DeclaresClose.class, new ClosingApiImpl());
        assertThat(call("declares", "close", "[]").get("result").isJsonNull()).isTrue();
        assertThat(ClosingApiImpl.CLOSED.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {" rpc.x", "RPC.discover", "a.b", "a b", "a-b", "x ", "x\u0000"})
    void handlerNamesMustBeIdentifiers(String name) {
        assertThatThrownBy(() -> server.handle("svc", name, p -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid method name");
    }

    @Test
    void exposingThroughAnInterfaceExposesExactlyItsMethods() {
        server.expose("api", Api.class, new ApiImpl());
        assertThat(call("api", "hello", "[\"you\"]").get("result").getAsString()).isEqualTo("hello you");
        assertThat(call("api", "twice", "{\"s\":\"ab\"}").get("result").getAsString()).isEqualTo("abab");
        assertThat(call("api", "extra", null).getAsJsonObject("error").get("code").getAsInt()).isEqualTo(-32601);
        // a plain expose sees the class's own public methods only; the interface's default methods with the opt-in
        server.expose("impl", new ApiImpl());
        assertThat(call("impl", "extra", null).get("result").getAsString()).isEqualTo("not in the interface");
        assertThat(call("impl", "twice", "[\"x\"]").getAsJsonObject("error").get("code").getAsInt())
                .isEqualTo(-32601);
        server.exposeInherited("impl2", new ApiImpl());
        assertThat(call("impl2", "twice", "[\"x\"]").get("result").getAsString()).isEqualTo("xx");
    }

    @Test
    void typeVariablesResolveAgainstTheTargetsClass() {
        server.expose("repo", Repo.class, new PointRepo());
        assertThat(call("repo", "put", "[{\"x\":3,\"y\":4}]").get("result").getAsString()).isEqualTo("point 3");
        assertThat(call("repo", "all", "[[{\"x\":3,\"y\":4}]]").get("result").toString())
                .isEqualTo("[{\"x\":3,\"y\":4}]");
        server.exposeInherited("store", new PointStore());
        assertThat(call("store", "store", "[{\"x\":1,\"y\":2}]").get("result").getAsString()).isEqualTo("Point");
    }

    @Test
    void nonPublicAndAnonymousClassesCanBeExposed() {
        server.expose("hidden", new Hidden());
        assertThat(call("hidden", "secret", null).get("result").getAsInt()).isEqualTo(42);
        server.expose("anon", new Object() {
            @SuppressWarnings("unused")
            public String hi(String who) {
                return "hi " + who;
            }
        });
        assertThat(call("anon", "hi", "{\"who\":\"there\"}").get("result").getAsString()).isEqualTo("hi there");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Test
    void interfaceExposureIsChecked() {
        assertThatThrownBy(() -> server.expose("x", (Class) Shapes.class, new Shapes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not an interface");
        assertThatThrownBy(() -> server.expose("x", (Class) Api.class, new Shapes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not implement");
        assertThatThrownBy(() -> server.expose("x", new Object()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no public instance methods");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "calc/v1", "caf\u00e9", "x\n"})
    void invalidServiceNamesAreRejected(String name) {
        assertThatThrownBy(() -> server.handle(name, "m", p -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid service name");
    }

    @Test
    void serviceNameLengthAndCharacters() {
        server.handle("a".repeat(100), "m", p -> 1);
        server.handle("A-z_0.9", "m", p -> 1);
        assertThatThrownBy(() -> server.handle("a".repeat(101), "m", p -> null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reservedAndInvalidMethodNamesAreRejected() {
        assertThatThrownBy(() -> server.handle("svc", "rpc.discover", p -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> server.handle("svc", "", p -> null))
                .isInstanceOf(IllegalArgumentException.class);
        server.handle("svc", "rpcdiscover", p -> 1); // only the "rpc." prefix is reserved
        server.handle("svc", "rpc", p -> 1);
    }

    @Test
    void duplicateRegistrationsAreRejected() {
        server.expose("shapes", new Shapes());
        assertThatThrownBy(() -> server.expose("shapes", new Shapes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already registered").hasMessageContaining("shapes");
        assertThatThrownBy(() -> server.handle("shapes", "add", p -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'add' of service 'shapes'");
        server.handle("h", "one", p -> 1);
        assertThatThrownBy(() -> server.handle("h", "one", p -> 2)).isInstanceOf(IllegalArgumentException.class);
        // a failed registration changes nothing
        assertThat(call("h", "one", null).get("result").getAsInt()).isEqualTo(1);
        // disjoint methods may share a service
        server.handle("shapes", "extra", p -> "extra");
        assertThat(call("shapes", "extra", null).get("result").getAsString()).isEqualTo("extra");
        assertThat(call("shapes", "add", "[1,1]").get("result").getAsInt()).isEqualTo(2);
    }

    @Test
    void handlersSeeTheirParams() {
        server.handle("h", "inspect", p -> Map.of("named", p.named(), "size", p.size(),
                "json", String.valueOf(p.json())));
        server.handle("h", "byName", p -> p.<Point>get("p", Point.class).x()
                + p.<Optional<Integer>>get("extra", new TypeToken<Optional<Integer>>() { }.getType()).orElse(100));
        server.handle("h", "byPosition", p -> p.<List<Integer>>get(0,
                new TypeToken<List<Integer>>() { }.getType()).size() + p.<Integer>get(1, int.class));
        assertThat(call("h", "inspect", "{\"a\":1}").get("result").toString())
                .contains("\"named\":true").contains("\"size\":1").contains("\"json\":\"{\\\"a\\\":1}\"");
        assertThat(call("h", "inspect", null).get("result").toString())
                .contains("\"named\":false").contains("\"size\":0").contains("\"json\":\"null\"");
        assertThat(call("h", "byName", "{\"p\":{\"x\":5,\"y\":0}}").get("result").getAsInt()).isEqualTo(105);
        assertThat(call("h", "byName", "{\"p\":{\"x\":5,\"y\":0},\"extra\":1}").get("result").getAsInt())
                .isEqualTo(6);
        assertThat(call("h", "byPosition", "[[1,2,3],4]").get("result").getAsInt()).isEqualTo(7);
        JsonObject wrongShape = call("h", "byName", "[1]").getAsJsonObject("error");
        assertThat(wrongShape.get("code").getAsInt()).isEqualTo(-32602);
        assertThat(wrongShape.get("message").getAsString()).contains("by name");
        JsonObject missing = call("h", "byPosition", "[[1]]").getAsJsonObject("error");
        assertThat(missing.get("message").getAsString()).contains("missing param 1");
        JsonObject mismatch = call("h", "byPosition", "[[1],\"x\"]").getAsJsonObject("error");
        assertThat(mismatch.get("message").getAsString()).contains("param 1").contains("expected an integer, got a"
                + " string").doesNotContain("java.");
    }

    @Test
    void registrationAfterCloseIsRefused() {
        server.close();
        assertThatThrownBy(() -> server.handle("late", "m", p -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
