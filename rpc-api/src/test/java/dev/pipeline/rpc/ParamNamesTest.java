package dev.pipeline.rpc;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.pipeline.rpc.ServerTestSupport.dispatch;
import static dev.pipeline.rpc.ServerTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * By-name calls to classes compiled without {@code -parameters} (as a user's build compiles them unless told
 * otherwise): the classes here are compiled by the test itself, without the flag. Names given with {@link Param}
 * bind; without them a by-name call is refused with a message that says how to fix it, and calls by position work.
 */
class ParamNamesTest {
    @TempDir
    static Path dir;
    static ClassLoader loader;

    private static final String SOURCES = """
            package gen;
            import dev.pipeline.rpc.Param;
            public class Sources {
                public static class Plain {
                    public int add(int a, int b) { return a + b; }
                    public int sum(int a) { return a; }
                    public int sum(int a, int b) { return a + b; }
                }
                public static class Annotated {
                    public int add(@Param("a") int a, @Param("b") int b) { return a + b; }
                    public String greet(@Param("name") String who) { return "hello " + who; }
                }
                public interface Api {
                    int subtract(@Param("minuend") int x, @Param("subtrahend") int y);
                }
                public static class Impl implements Api {
                    public int subtract(int x, int y) { return x - y; }
                }
                public static class Partly {
                    public int add(@Param("a") int a, int b) { return a + b; }
                }
                public static class Twice {
                    public int add(@Param("a") int a, @Param("a") int b) { return a + b; }
                }
            }
            """;

    private final RpcServer server = DefaultRpcServer.dispatchOnly(ServerConfig.defaults());

    @BeforeAll
    static void compileWithoutParameterNames() throws Exception {
        Path src = dir.resolve("gen/Sources.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCES);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, null, errors, "-d", dir.toString(), "-classpath",
                System.getProperty("java.class.path"), src.toString()); // no -parameters
        assertThat(rc).as(errors.toString(StandardCharsets.UTF_8)).isZero();
        loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ParamNamesTest.class.getClassLoader());
    }

    static Object instance(String name) throws Exception {
        return Class.forName("gen.Sources$" + name, true, loader).getConstructor().newInstance();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private JsonObject call(String service, String method, String params) {
        return tree(dispatch(server, service, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method
                + "\",\"params\":" + params + "}")).getAsJsonObject();
    }

    @Test
    void theClassesReallyLackParameterNames() throws Exception {
        assertThat(instance("Plain").getClass().getMethod("add", int.class, int.class).getParameters()[0]
                .isNamePresent()).isFalse();
    }

    @Test
    void withoutNamesByPositionWorksAndByNameSaysHowToFixIt() throws Exception {
        server.expose("plain", instance("Plain"));
        assertThat(call("plain", "add", "[1, 2]").get("result").getAsInt()).isEqualTo(3);
        for (String method : List.of("add", "sum")) { // one method, and overloads
            JsonObject error = call("plain", method, "{\"a\": 1, \"b\": 2}").getAsJsonObject("error");
            assertThat(error.get("code").getAsInt()).isEqualTo(ErrorCodes.INVALID_PARAMS);
            assertThat(error.get("message").getAsString())
                    .startsWith("Invalid params: method '" + method + "' takes params by position only")
                    .contains("compile the server with -parameters", "@Param");
        }
    }

    @Test
    void paramAnnotationsNameTheParamsWithoutTheCompilerFlag() throws Exception {
        server.expose("annotated", instance("Annotated"));
        assertThat(call("annotated", "add", "{\"b\": 2, \"a\": 40}").get("result").getAsInt()).isEqualTo(42);
        assertThat(call("annotated", "greet", "{\"name\": \"Ada\"}").get("result").getAsString())
                .isEqualTo("hello Ada");
        assertThat(call("annotated", "add", "[1, 2]").get("result").getAsInt()).isEqualTo(3);
        JsonObject error = call("annotated", "greet", "{\"who\": \"Ada\"}").getAsJsonObject("error");
        assertThat(error.get("message").getAsString()).contains("unknown param 'who'").contains("its params: name");
        JsonObject typed = call("annotated", "add", "{\"a\": \"x\", \"b\": 2}").getAsJsonObject("error");
        assertThat(typed.get("message").getAsString())
                .isEqualTo("Invalid params: param 'a' of method 'add': expected an integer, got a string");
    }

    @Test
    void theAnnotationsOfAnImplementedInterfaceCount() throws Exception {
        Object impl = instance("Impl");
        server.expose("byObject", impl);
        assertThat(call("byObject", "subtract", "{\"subtrahend\": 2, \"minuend\": 5}").get("result").getAsInt())
                .isEqualTo(3);
        @SuppressWarnings("unchecked")
        Class<Object> api = (Class<Object>) Class.forName("gen.Sources$Api", true, loader);
        server.expose("byInterface", api, impl);
        assertThat(call("byInterface", "subtract", "{\"minuend\": 5, \"subtrahend\": 7}").get("result").getAsInt())
                .isEqualTo(-2);
    }

    @Test
    void annotatingSomeParamsOrOneNameTwiceIsRefusedAtRegistration() throws Exception {
        Object partly = instance("Partly");
        assertThatThrownBy(() -> server.expose("partly", partly)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("@Param names some params of gen.Sources$Partly.add but not all");
        Object twice = instance("Twice");
        assertThatThrownBy(() -> server.expose("twice", twice)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uses the name 'a' twice");
    }

    @Test
    void aClientSeesTheHintAsAnInvalidParamsError() throws Exception {
        String uri = "inproc:param-names-" + UUID.randomUUID();
        try (RpcServer real = Rpc.server(uri)) {
            real.expose("plain", instance("Plain")).start();
            try (RpcClient client = Rpc.client(uri)) {
                assertThat(client.call("plain", "add", int.class, 2, 3)).isEqualTo(5);
                assertThatThrownBy(() -> client.callNamed("plain", "add", int.class, Map.of("a", 2, "b", 3)))
                        .isInstanceOfSatisfying(RpcException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
                            assertThat(e.getMessage()).contains("-parameters", "@Param");
                        });
            }
        }
    }
}
