package dev.pipeline.rpc;

import com.google.gson.Gson;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OpenTelemetry is an optional dependency: without it on the class path clients and servers work as before, and
 * nothing asks for one of its classes. The scenario runs in a class loader holding only rpc-api, its tests, Gson and
 * SLF4J, which records every class it is asked for.
 */
class TracingAbsentTest {
    /** Records the name of every class it is asked to load. */
    static final class RecordingLoader extends URLClassLoader {
        final List<String> requested = new CopyOnWriteArrayList<>();

        RecordingLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            return super.loadClass(name, resolve);
        }
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void callsWorkAndNoOpenTelemetryClassIsAskedForWithoutItOnTheClassPath() throws Exception {
        URL[] path = {location(Rpc.class), location(TracingAbsentTest.class), location(Gson.class),
                location(org.slf4j.Logger.class)};
        try (RecordingLoader loader = new RecordingLoader(path)) {
            assertThatThrownBy(() -> Class.forName("io.opentelemetry.api.OpenTelemetry", false, loader))
                    .as("the loader has no OpenTelemetry").isInstanceOf(ClassNotFoundException.class);
            loader.requested.clear();
            Class<?> scenario = Class.forName(NoTelemetryScenario.class.getName(), true, loader);
            assertThat(scenario.getClassLoader()).as("the scenario runs in the isolated loader").isSameAs(loader);
            Object seen = scenario.getMethod("run").invoke(null);
            assertThat(seen).as("call, nested call, batch, notification").isEqualTo("none,none,3,notified");
            assertThat(loader.requested).as("classes asked for").contains(RpcTracing.class.getName())
                    .noneMatch(n -> n.startsWith("io.opentelemetry."))
                    .doesNotContain(OpenTelemetryTracing.class.getName());
        }
    }
}
