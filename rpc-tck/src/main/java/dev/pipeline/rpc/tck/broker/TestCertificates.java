package dev.pipeline.rpc.tck.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and one server certificate it signed, made with the JDK's {@code keytool} (no
 * OpenSSL needed), for the TLS brokers of the fixtures (Kafka's SASL_SSL listener, {@code redis-server}'s TLS port):
 * EC P-256 keys, valid for three days. The files, all in one directory:
 * <ul>
 *   <li>{@code ca.crt}: the CA certificate, PEM;</li>
 *   <li>{@code truststore.p12}: the CA certificate as the only trusted entry of a PKCS#12 trust store;</li>
 *   <li>{@code server.crt} / {@code server.key}: the server certificate (PEM) with the given subject alternative
 *       names, and its private key (unencrypted PKCS#8 PEM, as {@code redis-server} reads it);</li>
 *   <li>{@code server.p12}: the server's key with its chain (server certificate, CA certificate) as a PKCS#12 key
 *       store, as a Kafka broker reads it.</li>
 * </ul>
 * Both PKCS#12 stores are protected by {@link #trustStorePassword()}, random per generation and never shown.
 *
 * @param dir                the directory holding the files
 * @param trustStorePassword the password of {@code truststore.p12} and {@code server.p12}
 */
public record TestCertificates(Path dir, String trustStorePassword) {
    private static final String KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    private static final String SERVER_ALIAS = "server";

    /** @return the CA certificate (PEM) */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** @return the PKCS#12 trust store holding the CA certificate */
    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    /** @return the server certificate (PEM), signed by the CA */
    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    /** @return the server's private key (PKCS#8 PEM) */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** @return the PKCS#12 key store holding the server's key and its chain, protected by {@link #keyStorePassword()} */
    public Path serverKeyStore() {
        return dir.resolve("server.p12");
    }

    /** @return the password of {@link #serverKeyStore()} (the same as the trust store's) */
    public String keyStorePassword() {
        return trustStorePassword;
    }

    /** Names the files, never the password. */
    @Override
    public String toString() {
        return "TestCertificates[" + dir + "]";
    }

    /**
     * Makes a CA and a server certificate in {@code dir}.
     *
     * @param dir              an existing directory
     * @param subjectAltNames  the server certificate's names in keytool's syntax, e.g. {@code ip:127.0.0.1,dns:localhost}
     * @return the files made, with their password
     */
    public static TestCertificates generate(Path dir, String subjectAltNames) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String pw = HexFormat.of().formatHex(random); // keystores of this generation only; never shown
        TestCertificates c = new TestCertificates(dir, pw);
        try {
            keytool(dir, pw, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=Pipeline test CA", "-ext", "bc:c", "-validity", "3",
                    "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass:env", "PW");
            keytool(dir, pw, "-genkeypair", "-alias", SERVER_ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=pipeline-test-server", "-validity", "3",
                    "-keystore", "server-key.p12", "-storetype", "PKCS12", "-storepass:env", "PW");
            keytool(dir, pw, "-certreq", "-alias", SERVER_ALIAS, "-keystore", "server-key.p12", "-storepass:env", "PW",
                    "-file", "server.csr");
            keytool(dir, pw, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass:env", "PW",
                    "-infile", "server.csr", "-outfile", "server.crt", "-rfc", "-validity", "3",
                    "-ext", "san=" + subjectAltNames, "-ext", "eku=serverAuth",
                    "-ext", "ku=digitalSignature,keyAgreement");
            keytool(dir, pw, "-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-storepass:env", "PW", "-rfc",
                    "-file", "ca.crt");

            KeyStore generated = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("server-key.p12"))) {
                generated.load(in, pw.toCharArray());
            }
            Key key = generated.getKey(SERVER_ALIAS, pw.toCharArray());
            Files.writeString(c.serverKey(), "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);

            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            Certificate ca = readCertificate(x509, c.caCertificate());
            Certificate server = readCertificate(x509, c.serverCertificate());

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("pipeline-test-ca", ca);
            store(trust, c.trustStore(), pw);

            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(SERVER_ALIAS, key, pw.toCharArray(), new Certificate[] {server, ca});
            store(keyStore, c.serverKeyStore(), pw);

            Files.deleteIfExists(dir.resolve("server.csr"));
            Files.deleteIfExists(dir.resolve("server-key.p12"));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate test certificates in " + dir + ": " + e, e);
        }
        return c;
    }

    /**
     * Makes a client certificate signed by this CA (extended key usage clientAuth), for servers that ask clients
     * for one: its key with the chain (client certificate, CA certificate) in the PKCS#12 key store
     * {@code client-<commonName>.p12}, protected by {@link #keyStorePassword()}.
     *
     * @param commonName the certificate's subject CN, letters, digits, '.', '_' or '-'
     * @return the key store
     */
    public Path generateClient(String commonName) {
        if (commonName == null || !commonName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a common name is letters, digits, '.', '_' or '-': " + commonName);
        }
        String generated = "client-" + commonName + "-key.p12";
        String csr = "client-" + commonName + ".csr";
        String crt = "client-" + commonName + ".crt";
        Path keyStore = dir.resolve("client-" + commonName + ".p12");
        try {
            keytool(dir, trustStorePassword, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname",
                    "secp256r1", "-dname", "CN=" + commonName, "-validity", "3", "-keystore", generated,
                    "-storetype", "PKCS12", "-storepass:env", "PW");
            keytool(dir, trustStorePassword, "-certreq", "-alias", "client", "-keystore", generated,
                    "-storepass:env", "PW", "-file", csr);
            keytool(dir, trustStorePassword, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass:env",
                    "PW", "-infile", csr, "-outfile", crt, "-rfc", "-validity", "3", "-ext", "eku=clientAuth",
                    "-ext", "ku=digitalSignature,keyAgreement");
            char[] pw = trustStorePassword.toCharArray();
            KeyStore in = KeyStore.getInstance("PKCS12");
            try (InputStream stream = Files.newInputStream(dir.resolve(generated))) {
                in.load(stream, pw);
            }
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            KeyStore out = KeyStore.getInstance("PKCS12");
            out.load(null, null);
            out.setKeyEntry("client", in.getKey("client", pw), pw, new Certificate[] {
                    readCertificate(x509, dir.resolve(crt)), readCertificate(x509, caCertificate())});
            store(out, keyStore, trustStorePassword);
            Files.deleteIfExists(dir.resolve(csr));
            Files.deleteIfExists(dir.resolve(generated));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a client certificate in " + dir + ": " + e, e);
        }
        return keyStore;
    }

    private static Certificate readCertificate(CertificateFactory x509, Path pem)
            throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return x509.generateCertificate(in);
        }
    }

    private static void store(KeyStore store, Path file, String pw) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, pw.toCharArray());
        }
    }

    private static void keytool(Path dir, String pw, String... args) throws IOException {
        // a short-lived JVM: the client compiler and the serial collector halve its start-up on a busy machine
        List<String> cmd = new ArrayList<>(List.of(KEYTOOL, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PW", pw); // in the environment, not on a command line others can read
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + output.trim());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
