package dev.pipeline.rpc.inproc;

import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * The in-process transport, {@code inproc:<name>}: a broker that lives in this JVM, named so that clients and
 * servers opened on the same name talk to each other. It is a complete implementation of the transport SPI and the
 * SPI's reference: server instances of a service compete for its requests (load sharing), a server stops taking
 * requests at {@code maxInFlight}, requests sent while no server runs wait in the service's queue until one starts,
 * and the unacknowledged requests of a server instance that closes without finishing them go to another instance.
 * Nothing survives the JVM. No threads of its own: requests are handed to handlers on the sending thread, replies to
 * clients on the thread that completes the handler's outcome.
 *
 * <p>Addresses: {@code inproc:name} (or {@code inproc://name}); the name is 1-100 characters of
 * {@code [A-Za-z0-9._-]}. Default: {@code inproc:default}.
 */
public final class InprocTransportProvider implements TransportProvider {
    /** The scheme, {@code inproc}. */
    public static final String SCHEME = "inproc";

    /** Used by {@link java.util.ServiceLoader}. */
    public InprocTransportProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public URI defaultUri() {
        return URI.create("inproc:default");
    }

    @Override
    public Transport open(URI uri, Map<String, String> properties) {
        Objects.requireNonNull(uri, "uri");
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("not an inproc URI: '" + uri + "'");
        }
        String name = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getAuthority();
        if (name != null && uri.isOpaque()) {
            int q = name.indexOf('?');
            name = q < 0 ? name : name.substring(0, q);
        }
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("inproc URI must be inproc:<name> with a name of 1-100 characters of"
                    + " [A-Za-z0-9._-], was '" + uri + "'");
        }
        return new InprocTransport(InprocBroker.named(name));
    }
}
