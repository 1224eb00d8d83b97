package dev.pipeline.rpc.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.internal.LazilyParsedNumber;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.pipeline.rpc.Limits;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Parses bytes into a {@link JsonElement} within {@link Limits}: size is checked before decoding, nesting depth while
 * parsing (iteratively, so deep input can never overflow the stack), UTF-8 strictly, JSON strictly (RFC 8259: no
 * comments, NaN, single quotes or trailing data). Numbers keep their exact text.
 */
public final class JsonInput {
    private JsonInput() {
    }

    /**
     * @return the parsed value
     * @throws JsonInputException when the input is too large, too deep, not UTF-8 or not JSON
     */
    public static JsonElement parse(byte[] bytes, Limits limits) throws JsonInputException {
        if (bytes.length > limits.maxMessageBytes()) {
            throw new JsonInputException(JsonInputException.Kind.TOO_LARGE, "message of " + bytes.length
                    + " bytes exceeds the limit of " + limits.maxMessageBytes() + " bytes");
        }
        String text = decodeUtf8(bytes);
        try (JsonReader reader = new JsonReader(new TextSource(text))) {
            reader.setStrictness(Strictness.STRICT);
            reader.setNestingLimit(Integer.MAX_VALUE); // bounded by our own depth check below
            JsonElement value = read(reader, limits.maxDepth());
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonInputException(JsonInputException.Kind.SYNTAX, "unexpected data after the JSON value");
            }
            return value;
        } catch (JsonInputException e) {
            throw e;
        } catch (MalformedJsonException | IllegalStateException | NumberFormatException e) {
            throw new JsonInputException(JsonInputException.Kind.SYNTAX, "invalid JSON: " + firstLine(e.getMessage()));
        } catch (IOException e) {
            // EOFException and friends: truncated input
            throw new JsonInputException(JsonInputException.Kind.SYNTAX, "invalid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String decodeUtf8(byte[] bytes) throws JsonInputException {
        if (isAscii(bytes)) { // the common case: every byte is its own character, nothing to validate
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new JsonInputException(JsonInputException.Kind.SYNTAX, "message is not valid UTF-8");
        }
    }

    private static JsonElement read(JsonReader reader, int maxDepth) throws IOException, JsonInputException {
        Deque<JsonElement> stack = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        while (true) {
            JsonToken token = reader.peek();
            JsonElement value;
            switch (token) {
                case BEGIN_ARRAY -> {
                    reader.beginArray();
                    push(stack, names, new JsonArray(), maxDepth);
                    continue;
                }
                case BEGIN_OBJECT -> {
                    reader.beginObject();
                    push(stack, names, new JsonObject(), maxDepth);
                    continue;
                }
                case END_ARRAY, END_OBJECT -> {
                    if (token == JsonToken.END_ARRAY) {
                        reader.endArray();
                    } else {
                        reader.endObject();
                    }
                    JsonElement done = stack.pop(); // already attached to its parent when it was opened
                    if (stack.isEmpty()) {
                        return done;
                    }
                    continue;
                }
                case NAME -> {
                    names.push(reader.nextName());
                    continue;
                }
                case STRING -> value = new JsonPrimitive(reader.nextString());
                case NUMBER -> value = new JsonPrimitive(new LazilyParsedNumber(reader.nextString()));
                case BOOLEAN -> value = new JsonPrimitive(reader.nextBoolean());
                case NULL -> {
                    reader.nextNull();
                    value = JsonNull.INSTANCE;
                }
                default -> throw new JsonInputException(JsonInputException.Kind.SYNTAX, "invalid JSON: unexpected end");
            }
            if (stack.isEmpty()) {
                return value;
            }
            add(stack.peek(), names, value);
        }
    }

    private static void push(Deque<JsonElement> stack, Deque<String> names, JsonElement container, int maxDepth)
            throws JsonInputException {
        if (stack.size() >= maxDepth) {
            throw new JsonInputException(JsonInputException.Kind.TOO_DEEP,
                    "JSON nesting exceeds the limit of " + maxDepth + " levels");
        }
        if (!stack.isEmpty()) {
            add(stack.peek(), names, container);
        }
        stack.push(container);
    }

    private static void add(JsonElement parent, Deque<String> names, JsonElement value) {
        if (parent instanceof JsonArray array) {
            array.add(value);
        } else {
            ((JsonObject) parent).add(names.pop(), value);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed input";
        }
        int cut = message.indexOf('\n');
        String line = cut < 0 ? message : message.substring(0, cut);
        int see = line.indexOf("\nSee ");
        line = see < 0 ? line : line.substring(0, see);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** A {@link Reader} over a string: {@code StringReader} takes a lock on every read. */
    static final class TextSource extends Reader {
        private final String text;
        private int pos;

        TextSource(String text) {
            this.text = text;
        }

        @Override
        public int read(char[] buf, int off, int len) {
            int n = Math.min(len, text.length() - pos);
            if (n <= 0) {
                return len == 0 ? 0 : -1;
            }
            text.getChars(pos, pos + n, buf, off);
            pos += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
