package dev.pipeline.rpc;

import dev.pipeline.rpc.inproc.InprocTransportProvider;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Choosing a transport by URI scheme. */
class TransportsTest {
    /** A provider for a scheme that only answers by opening the in-process broker. */
    private record Fake(String scheme) implements TransportProvider {
        @Override
        public URI defaultUri() {
            return URI.create("inproc:fake-" + scheme);
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            return new InprocTransportProvider().open(defaultUri(), properties);
        }
    }

    private static Map<String, TransportProvider> providers(String... schemes) {
        Map<String, TransportProvider> m = new TreeMap<>();
        m.put("inproc", new InprocTransportProvider());
        for (String s : schemes) {
            m.put(s, new Fake(s));
        }
        return m;
    }

    @Test
    void inprocIsFoundWithServiceLoader() {
        assertThat(Transports.providers()).containsKey("inproc");
        try (Transport t = Transports.open("inproc:found", Map.of())) {
            assertThat(t.scheme()).isEqualTo("inproc");
        }
    }

    @Test
    void unknownSchemeNamesTheTransportsFound() {
        assertThatThrownBy(() -> Rpc.client("nope://host:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'").hasMessageContaining("inproc")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> Transports.open("redis://h:6379", Map.of(), providers("kafka")))
                .hasMessageContaining("[inproc, kafka]");
    }

    @Test
    void malformedUriIsAOneLineError() {
        assertThatThrownBy(() -> Rpc.client("kafka://bad host:9092"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed transport URI 'kafka://bad host:9092'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> Rpc.server("no-scheme-here"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no scheme");
    }

    @Test
    void noUriWithSeveralTransportsListsThem() {
        assertThatThrownBy(() -> Transports.open(null, Map.of(), providers("kafka", "redis")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("several transports").hasMessageContaining("[inproc, kafka, redis]");
        assertThatThrownBy(() -> Transports.open(" ", Map.of(), providers()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no broker transport");
        assertThatThrownBy(Rpc::client).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no broker transport");
    }

    @Test
    void noUriWithOneBrokerTransportUsesItsDefaultAddress() {
        try (Transport t = Transports.open(null, Map.of(), providers("kafka"))) {
            assertThat(t.scheme()).isEqualTo("inproc"); // the fake opens inproc:fake-kafka
        }
    }

    @Test
    void schemeIsCaseInsensitive() {
        try (Transport t = Transports.open("INPROC:upper", Map.of())) {
            assertThat(t.scheme()).isEqualTo("inproc");
        }
    }
}
