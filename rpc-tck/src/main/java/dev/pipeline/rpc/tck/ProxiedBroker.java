package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.tck.broker.TcpProxy;

import java.util.Objects;

/**
 * A broker that clients and servers can reach directly or through a {@link TcpProxy} the test cuts and heals
 * ({@link TransportFixture#proxied()}). Closing it closes the proxy and whatever the fixture started for it.
 */
public final class ProxiedBroker implements AutoCloseable {
    private final String directUri;
    private final String proxiedUri;
    private final TcpProxy proxy;
    private final AutoCloseable owned;

    /**
     * @param directUri  the broker's address without the proxy
     * @param proxiedUri the address that goes through {@code proxy} (for Kafka: every connection, because the
     *                   listener behind the proxy advertises the proxy's address)
     * @param proxy      the proxy
     * @param owned      closed after the proxy (a broker started for it), or null
     */
    public ProxiedBroker(String directUri, String proxiedUri, TcpProxy proxy, AutoCloseable owned) {
        this.directUri = Objects.requireNonNull(directUri, "directUri");
        this.proxiedUri = Objects.requireNonNull(proxiedUri, "proxiedUri");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.owned = owned;
    }

    /** @return the broker's address without the proxy */
    public String directUri() {
        return directUri;
    }

    /** @return the broker's address through the proxy */
    public String proxiedUri() {
        return proxiedUri;
    }

    /** @return the proxy to cut and heal */
    public TcpProxy proxy() {
        return proxy;
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        if (owned != null) {
            owned.close();
        }
    }

    @Override
    public String toString() {
        return directUri + " and, through " + proxy + ", " + proxiedUri;
    }
}
