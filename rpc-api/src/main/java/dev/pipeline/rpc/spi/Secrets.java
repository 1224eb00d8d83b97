package dev.pipeline.rpc.spi;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of messages: every exception message, log line and {@code toString} that shows a broker URI
 * or a property passes it through here first. Works on text that is not a valid URI too (a malformed URI is exactly
 * what an error message shows), so it never parses, it only masks.
 *
 * <p>Masked: the password of a URI's user info ({@code redis://user:secret@host} becomes
 * {@code redis://user:***@host}; a lone {@code redis://secret@host}, which Redis reads as a password, becomes
 * {@code redis://***@host}), and the value of every query option or property whose name looks like a secret
 * (see {@link #isSecretName}).
 */
public final class Secrets {
    /** What a masked value is replaced with. */
    public static final String MASK = "***";

    /** scheme://userinfo@ : userinfo stops at the first '/', '?' or '#' and is the part before the last '@'. */
    private static final Pattern USER_INFO = Pattern.compile("((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)([^/?#\\s]*)@");
    /** name=value inside a query: after '?', '&' or ';'. */
    private static final Pattern OPTION = Pattern.compile("([?&;])([^=&;#\\s]+)=([^&;#\\s]*)");
    /** A JAAS "password=..." or "password: ..." inside a property value or message. */
    private static final Pattern JAAS_PASSWORD = Pattern.compile(
            "(?i)(password|secret|token)(\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s;,&\"']+)");

    private Secrets() {
    }

    /**
     * @param name a URI option or client property name, e.g. {@code sasl.jaas.config} or {@code ssl.key.password}
     * @return whether its value is to be treated as a credential
     */
    public static boolean isSecretName(String name) {
        if (name == null) {
            return false;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password") || n.contains("secret") || n.contains("jaas") || n.contains("token")
                || n.contains("credential") || n.contains("apikey") || n.contains("api.key") || n.contains("api-key")
                || n.endsWith(".key") || n.equals("key") || n.equals("pass") || n.equals("auth");
    }

    /**
     * @param text a URI, or any text that may hold one, such as a third-party exception message (null gives null)
     * @return {@code text} with user-info passwords, secret option values and {@code password=...} pairs masked
     */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = maskUserInfo(text);
        Matcher m = OPTION.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            String replacement = isSecretName(decodeLoosely(m.group(2)))
                    ? m.group(1) + m.group(2) + "=" + MASK : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return maskJaas(out.toString());
    }

    /**
     * @param name  a property name
     * @param value its value
     * @return {@code value}, or {@link #MASK} when {@code name} names a secret
     */
    public static String value(String name, String value) {
        return isSecretName(name) ? MASK : value;
    }

    /**
     * @param properties names and values, such as a config's transport properties
     * @return a sorted copy for display, each value {@link #mask masked} and secret names' values replaced whole
     */
    public static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, value(k, mask(v))));
        return shown;
    }

    private static String maskUserInfo(String text) {
        Matcher m = USER_INFO.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String masked = colon < 0 ? MASK : info.substring(0, colon) + ":" + MASK;
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String maskJaas(String text) {
        Matcher m = JAAS_PASSWORD.matcher(text);
        if (!m.find()) {
            return text;
        }
        m.reset();
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String decodeLoosely(String s) {
        try {
            return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
