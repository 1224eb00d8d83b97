package dev.pipeline.rpc.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Options of the Redis Streams transport. Immutable; build with {@link #builder()}. The same options can be given
 * as URI query parameters or transport properties under the names of the builder methods
 * (e.g. {@code redis://host:6379?keyPrefix=app:&claimIdle=5s}); durations accept {@code 250ms}, {@code 5s},
 * {@code 2m}, {@code 1h}, a plain number of milliseconds, or ISO-8601 ({@code PT5S}).
 *
 * <p>Connection options (ACL user and password, database index, TLS with {@code rediss://}, {@code verifyPeer},
 * {@code clientName}) are part of the URI and passed to Lettuce as they are. For {@code rediss://},
 * {@link Builder#trustStore(Path)} names the certificate authorities to trust instead of the JVM's default trust
 * store, e.g. {@code rediss://host:6380?trustStore=/etc/pipeline/redis-ca.pem}, and {@link Builder#keyStore(Path)}
 * the client certificate for a server that asks for one ({@code tls-auth-clients yes}).
 */
public final class RedisTransportConfig {
    /** Names of the options accepted as URI query parameters and transport properties. */
    static final Set<String> OPTION_NAMES = Set.of("keyPrefix", "blockTimeout", "claimIdle", "maxDeliveries",
            "streamMaxLen", "deadLetterMaxLen", "replyTtl", "consumerIdleTimeout", "readCount", "maxMessageBytes",
            "commandTimeout", "connectTimeout", "maintenanceInterval", "trustStore", "trustStorePassword", "keyStore",
            "keyStorePassword");

    private static final RedisTransportConfig DEFAULTS = builder().build();

    private final String keyPrefix;
    private final Duration blockTimeout;
    private final Duration claimIdle;
    private final int maxDeliveries;
    private final long streamMaxLen;
    private final long deadLetterMaxLen;
    private final Duration replyTtl;
    private final Duration consumerIdleTimeout;
    private final int readCount;
    private final int maxMessageBytes;
    private final Duration commandTimeout;
    private final Duration connectTimeout;
    private final Duration maintenanceInterval;
    private final Path trustStore;
    private final String trustStorePassword;
    private final Path keyStore;
    private final String keyStorePassword;

    private RedisTransportConfig(Builder b) {
        keyPrefix = b.keyPrefix;
        blockTimeout = b.blockTimeout;
        claimIdle = b.claimIdle;
        maxDeliveries = b.maxDeliveries;
        streamMaxLen = b.streamMaxLen;
        deadLetterMaxLen = b.deadLetterMaxLen;
        replyTtl = b.replyTtl;
        consumerIdleTimeout = b.consumerIdleTimeout;
        readCount = b.readCount;
        maxMessageBytes = b.maxMessageBytes;
        commandTimeout = b.commandTimeout;
        connectTimeout = b.connectTimeout;
        maintenanceInterval = b.maintenanceInterval;
        trustStore = b.trustStore;
        trustStorePassword = b.trustStorePassword;
        if (trustStorePassword != null && trustStore == null) {
            throw new IllegalArgumentException("trustStorePassword is set but trustStore is not");
        }
        if (trustStore != null) {
            trustManagerFactory(); // a missing, unreadable or empty trust store fails here, not at the first connect
        }
        keyStore = b.keyStore;
        keyStorePassword = b.keyStorePassword;
        if (keyStorePassword != null && keyStore == null) {
            throw new IllegalArgumentException("keyStorePassword is set but keyStore is not");
        }
        if (keyStore != null && keyStorePassword == null) {
            throw new IllegalArgumentException("keyStore " + keyStore + " needs keyStorePassword");
        }
        if (keyStore != null) {
            keyManagerFactory(); // likewise for the client certificate: a wrong password or no key fails here
        }
        if (consumerIdleTimeout.compareTo(blockTimeout.multipliedBy(3)) <= 0
                || consumerIdleTimeout.compareTo(claimIdle) <= 0) {
            throw new IllegalArgumentException("consumerIdleTimeout (" + consumerIdleTimeout
                    + ") must exceed claimIdle and three times blockTimeout, or live servers would be removed");
        }
    }

    /** @return the defaults (see each builder method). */
    public static RedisTransportConfig defaults() {
        return DEFAULTS;
    }

    /** @return a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.keyPrefix = keyPrefix;
        b.blockTimeout = blockTimeout;
        b.claimIdle = claimIdle;
        b.maxDeliveries = maxDeliveries;
        b.streamMaxLen = streamMaxLen;
        b.deadLetterMaxLen = deadLetterMaxLen;
        b.replyTtl = replyTtl;
        b.consumerIdleTimeout = consumerIdleTimeout;
        b.readCount = readCount;
        b.maxMessageBytes = maxMessageBytes;
        b.commandTimeout = commandTimeout;
        b.connectTimeout = connectTimeout;
        b.maintenanceInterval = maintenanceInterval;
        b.trustStore = trustStore;
        b.trustStorePassword = trustStorePassword;
        b.keyStore = keyStore;
        b.keyStorePassword = keyStorePassword;
        return b;
    }

    /** @return the prefix of every key: request stream {@code <prefix><service>}, replies {@code <prefix>reply:<client>}. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** @return how long one blocking XREAD / XREADGROUP waits before it is reissued. */
    public Duration blockTimeout() {
        return blockTimeout;
    }

    /** @return how long a delivered request may stay unacknowledged and unrefreshed before another server claims it. */
    public Duration claimIdle() {
        return claimIdle;
    }

    /** @return the most deliveries of one request; one more and it goes to the dead-letter stream. */
    public int maxDeliveries() {
        return maxDeliveries;
    }

    /** @return the approximate cap of a request stream ({@code XADD MAXLEN ~}), or 0 for none. */
    public long streamMaxLen() {
        return streamMaxLen;
    }

    /** @return the approximate cap of a dead-letter stream, or 0 for none. */
    public long deadLetterMaxLen() {
        return deadLetterMaxLen;
    }

    /** @return how long a reply stream lives after its last reply or its client's last refresh. */
    public Duration replyTtl() {
        return replyTtl;
    }

    /** @return how long a consumer with nothing pending may stay idle before it is removed from its group. */
    public Duration consumerIdleTimeout() {
        return consumerIdleTimeout;
    }

    /** @return the most entries fetched by one read. */
    public int readCount() {
        return readCount;
    }

    /** @return the largest message body accepted, in bytes. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** @return the time limit of a non-blocking Redis command (blocking reads get this on top of their block time). */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** @return the time limit of one connection attempt. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return how often a server trims its request stream and removes dead consumers. */
    public Duration maintenanceInterval() {
        return maintenanceInterval;
    }

    /**
     * @return the file of certificate authorities a {@code rediss://} connection trusts (PEM certificates, or a
     * PKCS#12 or JKS trust store), or null for the JVM's default trust store
     */
    public Path trustStore() {
        return trustStore;
    }

    /** @return whether a trust store password is set (the password itself is not exposed) */
    public boolean hasTrustStorePassword() {
        return trustStorePassword != null;
    }

    /**
     * @return the PKCS#12 or JKS key store holding the client's private key and certificate chain that a
     * {@code rediss://} connection presents when the server asks for one, or null for none
     */
    public Path keyStore() {
        return keyStore;
    }

    /** @return key managers for {@link #keyStore()}; never null when a key store is set */
    KeyManagerFactory keyManagerFactory() {
        String name = "keyStore " + keyStore;
        if (!Files.isRegularFile(keyStore) || !Files.isReadable(keyStore)) {
            throw new IllegalArgumentException(name + " is not a readable file");
        }
        try {
            char[] password = keyStorePassword.toCharArray();
            KeyStore store = KeyStore.getInstance(keyStore.toFile(), password);
            boolean any = false;
            for (java.util.Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
                any |= store.isKeyEntry(aliases.nextElement());
            }
            if (!any) {
                throw new IllegalArgumentException(name + " holds no private key with a certificate");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            return kmf;
        } catch (IOException | GeneralSecurityException e) {
            // as for the trust store: the JDK's messages name the problem, never the password
            throw new IllegalArgumentException("cannot read " + name + " as a PKCS#12/JKS key store: "
                    + e.getMessage(), e);
        }
    }

    /** @return trust managers for {@link #trustStore()}; never null when a trust store is set */
    TrustManagerFactory trustManagerFactory() {
        String name = "trustStore " + trustStore;
        if (!Files.isRegularFile(trustStore) || !Files.isReadable(trustStore)) {
            throw new IllegalArgumentException(name + " is not a readable file");
        }
        try {
            KeyStore store;
            byte[] head;
            try (InputStream in = Files.newInputStream(trustStore)) {
                head = in.readNBytes(4096);
            }
            boolean pem = new String(head, StandardCharsets.ISO_8859_1).contains("-----BEGIN");
            if (pem) {
                Collection<? extends Certificate> certs;
                try (InputStream in = Files.newInputStream(trustStore)) {
                    certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate c : certs) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
            } else {
                store = KeyStore.getInstance(trustStore.toFile(),
                        trustStorePassword == null ? null : trustStorePassword.toCharArray());
            }
            boolean any = false;
            for (java.util.Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
                any |= store.isCertificateEntry(aliases.nextElement());
            }
            if (!any) {
                throw new IllegalArgumentException(name + " holds no trusted certificate"
                        + (trustStorePassword == null && !pem
                        ? " (a PKCS#12 trust store needs trustStorePassword)" : ""));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf;
        } catch (IOException | GeneralSecurityException e) {
            // the messages of KeyStore and CertificateFactory name the problem ("keystore password was
            // incorrect", "Unrecognized keystore format"), never the password
            throw new IllegalArgumentException("cannot read " + name + " as PEM certificates or a PKCS#12/JKS"
                    + " trust store: " + e.getMessage(), e);
        }
    }

    /** Applies named options (URI query parameters or transport properties) on top of this configuration. */
    static RedisTransportConfig withOptions(RedisTransportConfig base, Map<String, String> options) {
        Builder b = base.toBuilder();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String name = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            BiConsumer<Builder, String> setter = switch (name) {
                case "keyPrefix" -> Builder::keyPrefix;
                case "blockTimeout" -> (x, v) -> x.blockTimeout(duration(name, v));
                case "claimIdle" -> (x, v) -> x.claimIdle(duration(name, v));
                case "maxDeliveries" -> (x, v) -> x.maxDeliveries((int) number(name, v));
                case "streamMaxLen" -> (x, v) -> x.streamMaxLen(number(name, v));
                case "deadLetterMaxLen" -> (x, v) -> x.deadLetterMaxLen(number(name, v));
                case "replyTtl" -> (x, v) -> x.replyTtl(duration(name, v));
                case "consumerIdleTimeout" -> (x, v) -> x.consumerIdleTimeout(duration(name, v));
                case "readCount" -> (x, v) -> x.readCount((int) number(name, v));
                case "maxMessageBytes" -> (x, v) -> x.maxMessageBytes((int) number(name, v));
                case "commandTimeout" -> (x, v) -> x.commandTimeout(duration(name, v));
                case "connectTimeout" -> (x, v) -> x.connectTimeout(duration(name, v));
                case "maintenanceInterval" -> (x, v) -> x.maintenanceInterval(duration(name, v));
                case "trustStore" -> (x, v) -> x.trustStore(v.isEmpty() ? null : Path.of(v));
                case "trustStorePassword" -> (x, v) -> x.trustStorePassword(v.isEmpty() ? null : v);
                case "keyStore" -> (x, v) -> x.keyStore(v.isEmpty() ? null : Path.of(v));
                case "keyStorePassword" -> (x, v) -> x.keyStorePassword(v.isEmpty() ? null : v);
                default -> throw new IllegalArgumentException("unknown Redis transport option '" + name
                        + "'; known: " + new java.util.TreeSet<>(OPTION_NAMES));
            };
            setter.accept(b, value);
        }
        return b.build();
    }

    private static long number(String name, String v) {
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " must be a whole number, was '" + v + "'");
        }
    }

    static Duration duration(String name, String v) {
        String s = v.toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.ofMillis(Long.parseLong(s));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("option " + name + " must be a duration such as 500ms, 5s or PT5S, was '"
                    + v + "'");
        }
    }

    @Override
    public String toString() {
        return "RedisTransportConfig{keyPrefix='" + keyPrefix + "', blockTimeout=" + blockTimeout + ", claimIdle="
                + claimIdle + ", maxDeliveries=" + maxDeliveries + ", streamMaxLen=" + streamMaxLen
                + ", deadLetterMaxLen=" + deadLetterMaxLen + ", replyTtl=" + replyTtl + ", consumerIdleTimeout="
                + consumerIdleTimeout + ", readCount=" + readCount + ", maxMessageBytes=" + maxMessageBytes
                + ", commandTimeout=" + commandTimeout + ", connectTimeout=" + connectTimeout
                + ", maintenanceInterval=" + maintenanceInterval
                + (trustStore == null ? "" : ", trustStore=" + trustStore)
                + (trustStorePassword == null ? "" : ", trustStorePassword=" + dev.pipeline.rpc.spi.Secrets.MASK)
                + (keyStore == null ? "" : ", keyStore=" + keyStore)
                + (keyStorePassword == null ? "" : ", keyStorePassword=" + dev.pipeline.rpc.spi.Secrets.MASK)
                + '}';
    }

    /** Builds a {@link RedisTransportConfig}; every setter validates its value. */
    public static final class Builder {
        private String keyPrefix = "rpc:";
        private Duration blockTimeout = Duration.ofSeconds(2);
        private Duration claimIdle = Duration.ofSeconds(3);
        private int maxDeliveries = 5;
        private long streamMaxLen = 1_000_000;
        private long deadLetterMaxLen = 100_000;
        private Duration replyTtl = Duration.ofMinutes(1);
        private Duration consumerIdleTimeout = Duration.ofMinutes(10);
        private int readCount = 128;
        private int maxMessageBytes = 64 << 20;
        private Duration commandTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration maintenanceInterval = Duration.ofSeconds(5);
        private Path trustStore;
        private String trustStorePassword;
        private Path keyStore;
        private String keyStorePassword;

        private Builder() {
        }

        /**
         * Sets the prefix of every key the transport reads or writes (default {@code rpc:}).
         *
         * @param keyPrefix non-empty, without whitespace
         * @return this builder
         * @throws IllegalArgumentException when empty or holding whitespace
         */
        public Builder keyPrefix(String keyPrefix) {
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            if (keyPrefix.isEmpty() || keyPrefix.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("keyPrefix must be non-empty without spaces, was '" + keyPrefix + "'");
            }
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * Sets how long one XREAD / XREADGROUP blocks waiting for entries (default 2 s).
         *
         * @param blockTimeout at least 10 ms
         * @return this builder
         * @throws IllegalArgumentException when shorter
         */
        public Builder blockTimeout(Duration blockTimeout) {
            this.blockTimeout = atLeast("blockTimeout", blockTimeout, Duration.ofMillis(10));
            return this;
        }

        /**
         * Sets the idle time after which a request delivered to a server but not acknowledged is claimed by another
         * server (default 10 s).
         *
         * @param claimIdle at least 50 ms
         * @return this builder
         * @throws IllegalArgumentException when shorter than 50 ms
         */
        public Builder claimIdle(Duration claimIdle) {
            this.claimIdle = atLeast("claimIdle", claimIdle, Duration.ofMillis(50));
            return this;
        }

        /**
         * Sets how many times one request is delivered before it is dead-lettered (default 5).
         *
         * @param maxDeliveries at least 1
         * @return this builder
         * @throws IllegalArgumentException when below 1
         */
        public Builder maxDeliveries(int maxDeliveries) {
            if (maxDeliveries < 1) {
                throw new IllegalArgumentException("maxDeliveries must be >= 1, was " + maxDeliveries);
            }
            this.maxDeliveries = maxDeliveries;
            return this;
        }

        /**
         * Sets the approximate length cap of a request stream, applied by servers' trimming (default 1,000,000).
         *
         * @param streamMaxLen entries, or 0 for no cap
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder streamMaxLen(long streamMaxLen) {
            this.streamMaxLen = nonNegative("streamMaxLen", streamMaxLen);
            return this;
        }

        /**
         * Sets the approximate length cap of a dead-letter stream (default 100,000).
         *
         * @param deadLetterMaxLen entries, or 0 for no cap
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder deadLetterMaxLen(long deadLetterMaxLen) {
            this.deadLetterMaxLen = nonNegative("deadLetterMaxLen", deadLetterMaxLen);
            return this;
        }

        /**
         * Sets how long a client's reply stream lives after its last use (default 1 min); a client that is gone
         * leaves no stream behind for longer.
         *
         * @param replyTtl at least 1 s
         * @return this builder
         * @throws IllegalArgumentException when shorter
         */
        public Builder replyTtl(Duration replyTtl) {
            this.replyTtl = atLeast("replyTtl", replyTtl, Duration.ofSeconds(1));
            return this;
        }

        /**
         * Sets the idle time after which a consumer with nothing pending is deleted from its group (default 10 min).
         * {@link #build()} requires it to exceed both {@link #claimIdle(Duration)} and three block timeouts, so that
         * no live server is removed.
         *
         * @param consumerIdleTimeout at least 1 s
         * @return this builder
         * @throws IllegalArgumentException when shorter
         */
        public Builder consumerIdleTimeout(Duration consumerIdleTimeout) {
            this.consumerIdleTimeout = atLeast("consumerIdleTimeout", consumerIdleTimeout, Duration.ofSeconds(1));
            return this;
        }

        /**
         * Sets the most entries fetched by one read (default 128).
         *
         * @param readCount from 1 to 10,000
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder readCount(int readCount) {
            if (readCount < 1 || readCount > 10_000) {
                throw new IllegalArgumentException("readCount must be between 1 and 10000, was " + readCount);
            }
            this.readCount = readCount;
            return this;
        }

        /**
         * Sets the largest message body accepted (default 64 MiB).
         *
         * @param maxMessageBytes from 64 bytes to 512 MiB (Redis' own limit on a value)
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder maxMessageBytes(int maxMessageBytes) {
            if (maxMessageBytes < 64 || maxMessageBytes > 512 << 20) {
                throw new IllegalArgumentException("maxMessageBytes must be between 64 and 536870912, was "
                        + maxMessageBytes);
            }
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /**
         * Sets the time limit of a non-blocking command (default 10 s).
         *
         * @param commandTimeout at least 10 ms
         * @return this builder
         * @throws IllegalArgumentException when shorter
         */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = atLeast("commandTimeout", commandTimeout, Duration.ofMillis(10));
            return this;
        }

        /**
         * Sets the time limit of one connection attempt (default 5 s).
         *
         * @param connectTimeout at least 10 ms
         * @return this builder
         * @throws IllegalArgumentException when shorter
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = atLeast("connectTimeout", connectTimeout, Duration.ofMillis(10));
            return this;
        }

        /**
         * Sets how often servers trim their request streams and remove dead consumers (default 5 s).
         *
         * @param maintenanceInterval at least 10 ms
         * @return this builder
         * @throws IllegalArgumentException when shorter
         */
        public Builder maintenanceInterval(Duration maintenanceInterval) {
            this.maintenanceInterval = atLeast("maintenanceInterval", maintenanceInterval, Duration.ofMillis(10));
            return this;
        }

        /**
         * Certificate authorities that a {@code rediss://} connection trusts, instead of the JVM's default trust
         * store (default: none set). The file holds either PEM certificates ({@code -----BEGIN CERTIFICATE-----},
         * one or more) or a PKCS#12 or JKS trust store ({@link #trustStorePassword}). The server's certificate is
         * checked against them and, with the default {@code verifyPeer=FULL}, its names against the host of the
         * URI. The file is read when the configuration is built: a missing, unreadable or empty one is refused.
         *
         * @param trustStore the file, or null for the JVM's default trust store
         * @return this builder
         */
        public Builder trustStore(Path trustStore) {
            this.trustStore = trustStore;
            return this;
        }

        /**
         * Password of a PKCS#12 or JKS {@link #trustStore} (not needed for PEM). Never shown: {@code toString} and
         * messages mask it.
         *
         * @param password the password, or null for none
         * @return this builder
         */
        public Builder trustStorePassword(String password) {
            this.trustStorePassword = password;
            return this;
        }

        /**
         * The client certificate a {@code rediss://} connection presents when the server asks for one
         * ({@code tls-auth-clients yes} or {@code optional}): a PKCS#12 or JKS key store holding the client's private
         * key and its certificate chain, protected by {@link #keyStorePassword} (default: none set). The file is read
         * when the configuration is built: a missing or unreadable file, a wrong password or a store without a key
         * is refused.
         *
         * @param keyStore the file, or null for no client certificate
         * @return this builder
         */
        public Builder keyStore(Path keyStore) {
            this.keyStore = keyStore;
            return this;
        }

        /**
         * Password of the {@link #keyStore} and of the key in it (required with a key store). Never shown:
         * {@code toString} and messages mask it.
         *
         * @param password the password, or null for none
         * @return this builder
         */
        public Builder keyStorePassword(String password) {
            this.keyStorePassword = password;
            return this;
        }

        /**
         * Checks the values together, reads the trust and key stores, and builds the configuration.
         *
         * @return an immutable configuration
         * @throws IllegalArgumentException when a store password is set without its store, a key store has no
         *     password, a store file cannot be read or holds no usable certificate or key, or
         *     {@code consumerIdleTimeout} does not exceed {@code claimIdle} and three times {@code blockTimeout}
         */
        public RedisTransportConfig build() {
            return new RedisTransportConfig(this);
        }

        private static Duration atLeast(String name, Duration d, Duration min) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(name + " must be at least " + min.toMillis() + " ms, was "
                        + d.toMillis() + " ms");
            }
            return d;
        }

        private static long nonNegative(String name, long v) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must be >= 0, was " + v);
            }
            return v;
        }
    }
}
