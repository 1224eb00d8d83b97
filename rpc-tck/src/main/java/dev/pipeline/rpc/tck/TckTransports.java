package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens a transport through the SPI directly (bypassing the client and server), the way the core does: the
 * {@link TransportProvider} registered for the URI's scheme. The TCK uses it to send raw bytes and watch raw replies.
 */
public final class TckTransports {
    private TckTransports() {
    }

    /**
     * Opens the transport of {@code fixture} at its URI with its properties.
     *
     * @param fixture the transport under test
     * @return the transport; the caller closes it
     */
    public static Transport open(TransportFixture fixture) {
        return open(fixture.uri(), fixture.properties());
    }

    /**
     * Opens the transport for {@code uri}.
     *
     * @param uri the broker's address; its scheme picks the provider
     * @param properties transport options
     * @return the transport; the caller closes it
     * @throws IllegalArgumentException when no provider on the class path handles the URI's scheme
     */
    public static Transport open(String uri, Map<String, String> properties) {
        URI parsed;
        try {
            parsed = new URI(uri.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed transport URI '" + uri + "': " + e.getReason());
        }
        if (parsed.getScheme() == null) {
            throw new IllegalArgumentException("transport URI '" + uri + "' has no scheme");
        }
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        List<String> found = new ArrayList<>();
        for (TransportProvider provider : ServiceLoader.load(TransportProvider.class,
                TckTransports.class.getClassLoader())) {
            if (provider.scheme().toLowerCase(Locale.ROOT).equals(scheme)) {
                return provider.open(parsed, properties);
            }
            found.add(provider.scheme());
        }
        throw new IllegalArgumentException("no transport for scheme '" + scheme + "' in '" + uri
                + "'; transports found: " + found);
    }
}
