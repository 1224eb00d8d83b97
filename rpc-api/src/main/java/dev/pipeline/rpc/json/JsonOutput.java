package dev.pipeline.rpc.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonWriter;

import java.io.Writer;

import java.nio.charset.StandardCharsets;

/** Writes JSON values as UTF-8 bytes, exactly (numbers keep their text, any Unicode string round-trips). */
public final class JsonOutput {
    private JsonOutput() {
    }

    /** @return {@code value} as compact UTF-8 JSON. */
    public static byte[] toBytes(JsonElement value) {
        return toText(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return {@code value} as compact JSON text; unpaired surrogates are escaped so UTF-8 encoding is lossless
     * @throws IllegalArgumentException when {@code value} holds something JSON cannot express (NaN, infinities)
     */
    public static String toText(JsonElement value) {
        TextSink text = new TextSink();
        JsonWriter writer = new JsonWriter(text);
        writer.setStrictness(Strictness.STRICT); // never NaN or Infinity on the wire
        writer.setHtmlSafe(false);
        writer.setSerializeNulls(true);
        Codec.GSON.toJson(value == null ? JsonNull.INSTANCE : value, writer);
        return escapeLoneSurrogates(text.toString());
    }

    /**
     * A lone surrogate can only come from a string value (JSON syntax is ASCII), where the six-character escape
     * {@code \\uXXXX} means the same thing and survives UTF-8 encoding.
     */
    static String escapeLoneSurrogates(String json) {
        int n = json.length();
        int i = 0;
        while (i < n && !Character.isSurrogate(json.charAt(i))) {
            i++;
        }
        if (i == n) {
            return json;
        }
        StringBuilder out = new StringBuilder(n + 16).append(json, 0, i);
        for (; i < n; i++) {
            char c = json.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(json.charAt(i + 1))) {
                out.append(c).append(json.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A {@link Writer} into a {@link StringBuilder}: {@code StringWriter} locks a {@code StringBuffer} per write. */
    static final class TextSink extends Writer {
        private final StringBuilder sb = new StringBuilder(128);

        @Override
        public void write(char[] buf, int off, int len) {
            sb.append(buf, off, len);
        }

        @Override
        public void write(int c) {
            sb.append((char) c);
        }

        @Override
        public void write(String s, int off, int len) {
            sb.append(s, off, off + len);
        }

        @Override
        public Writer append(CharSequence s) {
            sb.append(s);
            return this;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
