package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;

import dev.pipeline.rpc.spi.Secrets;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Finds transports with ServiceLoader and picks one by URI scheme. */
final class Transports {
    private Transports() {
    }

    /** @return the providers on the class path, by scheme. */
    static Map<String, TransportProvider> providers() {
        Map<String, TransportProvider> byScheme = new TreeMap<>();
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class, Transports.class.getClassLoader())) {
            byScheme.putIfAbsent(p.scheme().toLowerCase(Locale.ROOT), p);
        }
        return byScheme;
    }

    /**
     * Opens the transport for {@code uri}; with a null or blank uri, the only transport other than {@code inproc}
     * on the class path at its default address.
     */
    static Transport open(String uri, Map<String, String> properties) {
        return open(uri, properties, providers());
    }

    /** {@link #open(String, Map)} among the given providers (keyed by lower-case scheme). */
    static Transport open(String uri, Map<String, String> properties, Map<String, TransportProvider> providers) {
        if (uri == null || uri.isBlank()) {
            List<TransportProvider> brokers = providers.values().stream()
                    .filter(p -> !p.scheme().equals("inproc")).collect(Collectors.toList());
            if (brokers.size() != 1) {
                throw new IllegalArgumentException(brokers.isEmpty()
                        ? "no broker transport on the class path (found: " + providers.keySet()
                          + "); add rpc-transport-kafka or rpc-transport-redis"
                        : "several transports on the class path " + providers.keySet()
                          + "; name one with a URI such as kafka://host:9092");
            }
            TransportProvider only = brokers.get(0);
            return only.open(only.defaultUri(), properties);
        }
        URI parsed;
        try {
            parsed = new URI(uri.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed transport URI '" + Secrets.mask(uri) + "': " + e.getReason());
        }
        if (parsed.getScheme() == null) {
            throw new IllegalArgumentException("transport URI '" + Secrets.mask(uri) + "' has no scheme; use one of "
                    + providers.keySet().stream().map(s -> s + "://").collect(Collectors.toList()));
        }
        TransportProvider provider = providers.get(parsed.getScheme().toLowerCase(Locale.ROOT));
        if (provider == null) {
            throw new IllegalArgumentException("no transport for scheme '" + parsed.getScheme() + "' in '" + Secrets.mask(uri)
                    + "'; transports found: " + providers.keySet());
        }
        return provider.open(parsed, properties);
    }
}
