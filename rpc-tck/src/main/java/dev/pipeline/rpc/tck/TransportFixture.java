package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the TCK reaches the transport under test: the one small class a transport module writes to run the suites.
 *
 * <pre>{@code
 * class KafkaSemanticsTest extends SemanticsSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 *
 * <p>Only {@link #uri()} is required. The optional hooks ({@link #restartBroker()}, {@link #injectRaw},
 * {@link #deadLetters}) let the delivery suite check more; a fixture that does not offer one keeps the default,
 * which reports {@code false} / throws {@link UnsupportedOperationException}. The suites then fail (for a declared
 * {@linkplain dev.pipeline.rpc.spi.Capability capability} they cannot verify) or are reported as aborted with the
 * reason (for a broker-side operation such as a restart) - never skipped silently.
 *
 * <p>A fixture is created once per suite class; the broker behind it is usually shared by the whole test run.
 * Every test uses its own, unique service names, so a broker that already holds data is fine.
 */
public abstract class TransportFixture {

    /** @return the address that clients and servers of the broker under test open, e.g. {@code kafka://127.0.0.1:9092}. */
    public abstract String uri();

    /** @return transport properties passed to every client and server (e.g. Kafka client properties); default none. */
    public Map<String, String> properties() {
        return Map.of();
    }

    /**
     * {@return what the transport supports} Default: what a transport opened at {@link #uri()} declares. Override
     * only to narrow it (declaring more than the transport does is a bug the suites will find).
     */
    public TransportCapabilities capabilities() {
        try (Transport transport = TckTransports.open(this)) {
            return transport.capabilities();
        }
    }

    /**
     * {@return the timeout of ordinary calls in the suites} A generous bound on one round trip through the broker,
     * not a performance target (default 30 s). Calls that are expected to time out use much shorter timeouts.
     */
    public Duration callTimeout() {
        return Duration.ofSeconds(30);
    }

    /**
     * {@return the longest time the broker may take to hand a message that a dead or stopped server instance did
     * not acknowledge to another instance} Kafka: a consumer group rebalance; Redis: the pending-entry claim
     * interval. Default 60 s.
     */
    public Duration redeliveryTimeout() {
        return Duration.ofSeconds(60);
    }

    /** @return whether {@link #restartBroker()} is available (false for a broker the user named by address). */
    public boolean canRestartBroker() {
        return false;
    }

    /**
     * Stops the broker and starts it again at the same address with its data, returning once it accepts
     * connections again. Clients and servers opened before must recover on their own.
     */
    public void restartBroker() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restart its broker");
    }

    /** @return whether {@link #injectRaw} is available. */
    public boolean canInjectRaw() {
        return false;
    }

    /**
     * Writes a message straight onto {@code service}'s request destination, bypassing the client (Kafka: a raw
     * record on {@code rpc.<service>}; Redis: a raw {@code XADD} on {@code rpc:<service>}), with exactly these bytes
     * and metadata. Used to inject poison messages.
     *
     * @param service the service name, as given to the server
     * @param body    the message bytes, possibly not JSON at all
     * @param headers metadata fields ({@link dev.pipeline.rpc.spi.WireHeaders}); may be empty
     */
    public void injectRaw(String service, byte[] body, Map<String, String> headers) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot inject raw messages");
    }

    /**
     * As {@link #injectRaw(String, byte[], Map)}, with the metadata given field by field, in order, as bytes: a name
     * may repeat and a value need not be UTF-8 (Kafka: the record's headers in this order; Redis: the entry's fields
     * in this order, then {@code body}). Used to forge metadata. The default passes fields with distinct names and
     * UTF-8 values on to {@link #injectRaw(String, byte[], Map)} and refuses others: a fixture that can write them
     * overrides it.
     *
     * @param service the service name, as given to the server
     * @param body    the message bytes
     * @param fields  metadata fields in order, each a name and its value bytes
     */
    public void injectRawFields(String service, byte[] body, List<Map.Entry<String, byte[]>> fields) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        java.nio.charset.CharsetDecoder utf8 = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        for (Map.Entry<String, byte[]> f : fields) {
            String value;
            try {
                value = utf8.decode(java.nio.ByteBuffer.wrap(f.getValue())).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                value = null;
            }
            if (value == null || headers.put(f.getKey(), value) != null) {
                throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot inject a repeated or"
                        + " non-UTF-8 field (" + f.getKey() + "): override TransportFixture.injectRawFields");
            }
        }
        injectRaw(service, body, headers);
    }

    /** @return whether {@link #deadLetters} is available. */
    public boolean canReadDeadLetters() {
        return false;
    }

    /**
     * Reads what is on {@code service}'s dead-letter destination (Kafka {@code rpc.<service>.dlq}, Redis
     * {@code rpc:<service>:dlq}), waiting up to {@code timeout} until at least {@code atLeast} messages are there.
     *
     * @param service the service whose dead letters are read
     * @param atLeast how many messages to wait for
     * @param timeout how long to wait for them
     * @return the messages found, oldest first (fewer than {@code atLeast} when the timeout passed)
     * @throws UnsupportedOperationException unless {@link #canReadDeadLetters()}
     */
    public List<RawMessage> deadLetters(String service, int atLeast, Duration timeout) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot read dead letters");
    }

    /** @return whether {@link #proxied()} is available. */
    public boolean canProxy() {
        return false;
    }

    /**
     * @return a broker reachable directly and through a {@link dev.pipeline.rpc.tck.broker.TcpProxy} the test cuts
     *     and heals (for Kafka a broker of its own whose second listener advertises the proxy's address); the caller
     *     closes it
     */
    public ProxiedBroker proxied() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot put a proxy in front of its broker");
    }

    /** @return whether {@link #killBroker()} and {@link #startKilledBroker()} are available. */
    public boolean canKillBroker() {
        return false;
    }

    /**
     * Kills the broker at {@link #uri()} with SIGKILL ({@code kill -9}), its data kept, and returns once it is gone.
     * Clients and servers opened before must recover on their own once {@link #startKilledBroker()} ran.
     */
    public void killBroker() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot kill its broker");
    }

    /** Starts the killed broker again at the same address with its data, returning once it accepts connections. */
    public void startKilledBroker() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restart a killed broker");
    }

    /** @return a short name for reports; default the URI. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + uri() + "]";
    }
}
