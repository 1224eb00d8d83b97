package dev.pipeline.rpc.json;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonParseException;
import com.google.gson.JsonSyntaxException;
import com.google.gson.ToNumberPolicy;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Optional;

/**
 * Converts between Java values and JSON with one Gson configuration shared by client and server: nulls kept,
 * no HTML escaping, numbers inside {@code Object}/{@code Map} values kept exact (never silently doubles),
 * {@code Optional} supported, records supported. Gson never instantiates a class named by the input.
 *
 * <p>Integral types ({@code byte, short, int, long} and their boxes) convert only exactly: {@code 1.5} or
 * {@code 12345678901234567890} into an {@code int} is an error, not a truncation ({@code 2.0} and {@code 2e3} are
 * accepted: their value is integral). Booleans convert only from {@code true}/{@code false} (the strings
 * {@code "true"}/{@code "false"} too, as map keys need). Numeric strings still convert to numbers, as Gson does,
 * because JSON object keys are strings. {@code double} and {@code float} take finite values only: {@code 1e400} is
 * refused, never read as Infinity (JSON has no infinities). Records are built through their canonical constructor,
 * so their own validation runs. A value that does not convert is an {@link IllegalArgumentException} whose message
 * speaks JSON ({@code at $.value: expected a number, got a string}) and is safe to send to a remote caller.
 */
public final class Codec {
    static final Gson GSON = new GsonBuilder()
            .serializeNulls()
            .disableHtmlEscaping()
            .setObjectToNumberStrategy(ToNumberPolicy.LAZILY_PARSED_NUMBER)
            .setNumberToNumberStrategy(ToNumberPolicy.LAZILY_PARSED_NUMBER)
            .registerTypeAdapterFactory(new OptionalAdapterFactory())
            .registerTypeAdapterFactory(new StrictScalarsFactory())
            .create();

    private Codec() {
    }

    /** @return the shared Gson instance. */
    public static Gson gson() {
        return GSON;
    }

    /**
     * Converts a Java value to JSON.
     *
     * @param value any value Gson can convert, or {@code null}
     * @return {@code value} as a JSON tree ({@link JsonNull} for null)
     */
    public static JsonElement toJson(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof JsonElement e) {
            return e;
        }
        // what Gson's adapters produce for these, without the adapter lookup and tree writer
        if (value instanceof String s) {
            return new JsonPrimitive(s);
        }
        if (value instanceof Integer || value instanceof Long) {
            return new JsonPrimitive((Number) value);
        }
        if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        return GSON.toJsonTree(value);
    }

    /**
     * Converts JSON to a Java value.
     *
     * @param <T> the value's type
     * @param json the JSON value
     * @param type the type to convert to (may be generic)
     * @return {@code json} converted to {@code type}
     * @throws IllegalArgumentException with a one-line reason when it does not convert
     */
    @SuppressWarnings("unchecked")
    public static <T> T fromJson(JsonElement json, Type type) {
        if (type == JsonElement.class) {
            return (T) json;
        }
        if (type == void.class || type == Void.class) {
            return null;
        }
        if (json instanceof JsonPrimitive p) {
            if (type == String.class) {
                return (T) p.getAsString(); // what Gson's String adapter reads from a string, number or boolean
            }
            Object scalar = commonScalar(p, type);
            if (scalar != null) {
                return (T) scalar;
            }
        }
        try {
            Object value = GSON.fromJson(json == null ? JsonNull.INSTANCE : json, TypeToken.get(type));
            if (value == null && type instanceof Class<?> c && c.isPrimitive()) {
                throw new IllegalArgumentException("expected " + expectedKind(c) + ", got null");
            }
            if (value == null && rawType(type) == Optional.class) {
                return (T) Optional.empty();
            }
            return (T) value;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(describe(json, type, e), e);
        }
    }

    /**
     * Why {@code json} does not convert to {@code type}, in JSON's words for a remote caller: the JSON types
     * expected and given and where ({@code at $.items[2]}), never Java class names, exception names or stack
     * traces. A record's or class's own validation that throws {@link IllegalArgumentException} is the exception:
     * its message (first line, clipped) is the application's word to the caller.
     */
    static String describe(JsonElement json, Type type, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Refused) {
                return t.getMessage();
            }
        }
        for (Throwable t = error.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException && !(t instanceof NumberFormatException)
                    && t.getMessage() != null) {
                return "invalid value: " + clip(firstLine(t.getMessage()));
            }
        }
        String message = firstLine(String.valueOf(error.getMessage()));
        java.util.regex.Matcher m = GSON_EXPECTED.matcher(message);
        if (m.find()) {
            String path = m.group(3) == null || m.group(3).equals("$") ? "" : "at " + clip(m.group(3)) + ": ";
            return path + "expected " + tokenKind(m.group(1)) + ", got " + tokenKind(m.group(2));
        }
        String expected = expectedKind(type);
        String got = kindOf(json);
        return expected.equals(got) ? "invalid value: " + got + " that does not fit" : "expected " + expected
                + ", got " + got;
    }

    /** Gson's own refusals: "Expected BEGIN_OBJECT but was STRING at line 1 column 2 path $.a". */
    private static final java.util.regex.Pattern GSON_EXPECTED = java.util.regex.Pattern.compile(
            "[Ee]xpected (a \\w+|an \\w+|\\w+) but was (\\w+)(?:.*? path (\\$\\S*))?");

    private static String tokenKind(String token) {
        return switch (token) {
            case "BEGIN_OBJECT", "END_OBJECT", "NAME" -> "an object";
            case "BEGIN_ARRAY", "END_ARRAY" -> "an array";
            case "STRING", "a string", "a char", "a character" -> "a string";
            case "NUMBER", "a double", "a long", "an int", "a number" -> "a number";
            case "BOOLEAN", "a boolean" -> "a boolean";
            case "NULL" -> "null";
            default -> "another value";
        };
    }

    /** @return the JSON type {@code type} is written as. */
    static String expectedKind(Type type) {
        Class<?> raw = rawType(type);
        if (raw == boolean.class || raw == Boolean.class) {
            return "a boolean";
        }
        if (raw.isPrimitive() && raw != char.class || Number.class.isAssignableFrom(raw)) {
            return "a number";
        }
        if (raw == String.class || raw == char.class || raw == Character.class || raw.isEnum()) {
            return "a string";
        }
        if (raw.isArray() || Iterable.class.isAssignableFrom(raw)) {
            return "an array";
        }
        return "an object";
    }

    /** @return the JSON type of {@code json}. */
    static String kindOf(JsonElement json) {
        if (json == null || json.isJsonNull()) {
            return "null";
        }
        if (json.isJsonArray()) {
            return "an array";
        }
        if (json.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive p = json.getAsJsonPrimitive();
        return p.isBoolean() ? "a boolean" : p.isNumber() ? "a number" : "a string";
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** A refusal by one of this codec's adapters; its message is already fit for a remote caller. */
    static final class Refused extends JsonParseException {
        private static final long serialVersionUID = 1L;

        Refused(JsonReader in, String message) {
            super(where(in) + message);
        }

        private static String where(JsonReader in) {
            String path = in.getPreviousPath();
            return path == null || path.equals("$") ? "" : "at " + clip(path) + ": ";
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * The common cases of what {@link StrictScalarsFactory} reads, without Gson's tree reader (which allocates
     * about 3 KB of buffers per conversion): a plain integer number into an {@code int} or {@code long} within its
     * range, a JSON boolean into a {@code boolean}. Anything else is null, for the full path to convert or refuse.
     */
    private static Object commonScalar(JsonPrimitive p, Type type) {
        boolean isInt = type == int.class || type == Integer.class;
        if (isInt || type == long.class || type == Long.class) {
            if (!p.isNumber()) {
                return null;
            }
            String text = p.getAsString();
            if (text.length() > 18 || !StrictScalarsFactory.isPlainInteger(text)) {
                return null;
            }
            long v = Long.parseLong(text);
            if (!isInt) {
                return v;
            }
            return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Object) (int) v : null;
        }
        if ((type == boolean.class || type == Boolean.class) && p.isBoolean()) {
            return p.getAsBoolean();
        }
        return null;
    }

    static Class<?> rawType(Type type) {
        return TypeToken.get(type).getRawType();
    }

    /** Exact integral conversion and strict booleans (Gson's defaults truncate {@code 1.5} to 1, read "x" as false). */
    static final class StrictScalarsFactory implements TypeAdapterFactory {
        @Override
        @SuppressWarnings("unchecked")
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> typeToken) {
            Class<?> raw = typeToken.getRawType();
            if (raw == int.class || raw == Integer.class) {
                return (TypeAdapter<T>) integral(gson.getDelegateAdapter(this, TypeToken.get(Integer.class)), "an int",
                        Integer.MIN_VALUE, Integer.MAX_VALUE, v -> (int) v);
            }
            if (raw == long.class || raw == Long.class) {
                return (TypeAdapter<T>) integral(gson.getDelegateAdapter(this, TypeToken.get(Long.class)), "a long",
                        Long.MIN_VALUE, Long.MAX_VALUE, v -> v);
            }
            if (raw == short.class || raw == Short.class) {
                return (TypeAdapter<T>) integral(gson.getDelegateAdapter(this, TypeToken.get(Short.class)), "a short",
                        Short.MIN_VALUE, Short.MAX_VALUE, v -> (short) v);
            }
            if (raw == byte.class || raw == Byte.class) {
                return (TypeAdapter<T>) integral(gson.getDelegateAdapter(this, TypeToken.get(Byte.class)), "a byte",
                        Byte.MIN_VALUE, Byte.MAX_VALUE, v -> (byte) v);
            }
            if (raw == double.class || raw == Double.class) {
                return (TypeAdapter<T>) floating(gson.getDelegateAdapter(this, TypeToken.get(Double.class)), false);
            }
            if (raw == float.class || raw == Float.class) {
                return (TypeAdapter<T>) floating(gson.getDelegateAdapter(this, TypeToken.get(Float.class)), true);
            }
            if (raw == java.math.BigDecimal.class || raw == java.math.BigInteger.class) {
                return (TypeAdapter<T>) big(gson.getDelegateAdapter(this, typeToken),
                        raw == java.math.BigInteger.class ? "an integer" : "a number");
            }
            if (raw == boolean.class || raw == Boolean.class) {
                TypeAdapter<Boolean> writer = gson.getDelegateAdapter(this, TypeToken.get(Boolean.class));
                return (TypeAdapter<T>) new TypeAdapter<Boolean>() {
                    @Override
                    public void write(JsonWriter out, Boolean value) throws IOException {
                        writer.write(out, value);
                    }

                    @Override
                    public Boolean read(JsonReader in) throws IOException {
                        JsonToken token = in.peek();
                        if (token == JsonToken.NULL) {
                            in.nextNull();
                            return null;
                        }
                        if (token == JsonToken.BOOLEAN) {
                            return in.nextBoolean();
                        }
                        if (token == JsonToken.STRING) {
                            String s = in.nextString();
                            if (s.equals("true") || s.equals("false")) {
                                return Boolean.valueOf(s);
                            }
                            throw new Refused(in, "expected a boolean, got a string");
                        }
                        in.skipValue();
                        throw new Refused(in, "expected a boolean, got " + tokenKind(token.name()));
                    }
                };
            }
            return null;
        }

        private static <N extends Number> TypeAdapter<N> integral(TypeAdapter<N> writer, String what, long min,
                                                                   long max, java.util.function.LongFunction<N> box) {
            return new TypeAdapter<N>() {
                @Override
                public void write(JsonWriter out, N value) throws IOException {
                    writer.write(out, value);
                }

                @Override
                public N read(JsonReader in) throws IOException {
                    JsonToken token = in.peek();
                    String text = numberText(in, token, "an integer");
                    if (text == null) {
                        return null;
                    }
                    long value;
                    try {
                        value = text.length() <= 18 && isPlainInteger(text) ? Long.parseLong(text)
                                : integralValue(text);
                    } catch (NumberFormatException e) {
                        throw new Refused(in, "expected an integer, got " + (token == JsonToken.STRING
                                ? "a string" : abbreviate(text)));
                    } catch (ArithmeticException e) {
                        throw new Refused(in, "expected an integer from " + min + " to " + max + ", got "
                                + abbreviate(text));
                    }
                    if (value < min || value > max) {
                        throw new Refused(in, "expected an integer from " + min + " to " + max + ", got "
                                + abbreviate(text));
                    }
                    return box.apply(value);
                }
            };
        }

        /**
         * {@code BigDecimal}/{@code BigInteger}: Gson's own conversion (from a number or a numeric string), with its
         * refusals in JSON's words ({@code what}: "a number" or "an integer").
         */
        private static <N> TypeAdapter<N> big(TypeAdapter<N> delegate, String what) {
            return new TypeAdapter<N>() {
                @Override
                public void write(JsonWriter out, N value) throws IOException {
                    delegate.write(out, value);
                }

                @Override
                public N read(JsonReader in) throws IOException {
                    JsonToken token = in.peek();
                    if (token == JsonToken.NULL) {
                        in.nextNull();
                        return null;
                    }
                    if (token != JsonToken.NUMBER && token != JsonToken.STRING) {
                        in.skipValue();
                        throw new Refused(in, "expected " + what + ", got " + tokenKind(token.name()));
                    }
                    String text = in.nextString();
                    try {
                        return delegate.fromJsonTree(new JsonPrimitive(text));
                    } catch (JsonParseException | NumberFormatException | ArithmeticException e) {
                        throw new Refused(in, "expected " + what + ", got " + (token == JsonToken.STRING
                                ? "a string" : abbreviate(text)));
                    }
                }
            };
        }

        /**
         * @return the value of a JSON number that is an integer within a long
         * @throws NumberFormatException when it is not a number or has a fraction
         * @throws ArithmeticException   when it is an integer outside a long
         */
        private static long integralValue(String text) {
            if (text.length() > 400) { // 1e1000000000 is cheap to write and dear to expand
                throw new NumberFormatException();
            }
            java.math.BigDecimal d = new java.math.BigDecimal(text);
            if (d.scale() > 0 && d.stripTrailingZeros().scale() > 0) {
                throw new NumberFormatException();
            }
            if (d.precision() - d.scale() > 19) {
                throw new ArithmeticException();
            }
            return d.longValueExact();
        }

        /** {@code double}/{@code float}: finite values only (JSON has no infinities; 1e400 is not a double). */
        private static <N extends Number> TypeAdapter<N> floating(TypeAdapter<N> writer, boolean isFloat) {
            return new TypeAdapter<N>() {
                @Override
                public void write(JsonWriter out, N value) throws IOException {
                    writer.write(out, value);
                }

                @Override
                @SuppressWarnings("unchecked")
                public N read(JsonReader in) throws IOException {
                    JsonToken token = in.peek();
                    String text = numberText(in, token, "a number");
                    if (text == null) {
                        return null;
                    }
                    double value;
                    try {
                        value = Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        throw new Refused(in, "expected a number, got " + (token == JsonToken.STRING ? "a string"
                                : abbreviate(text)));
                    }
                    if (token == JsonToken.STRING && !looksNumeric(text) || Double.isNaN(value)) {
                        throw new Refused(in, "expected a number, got a string");
                    }
                    if (Double.isInfinite(value) || isFloat && Float.isInfinite((float) value)) {
                        throw new Refused(in, "expected a finite number within the range of a "
                                + (isFloat ? "32" : "64") + "-bit float, got " + abbreviate(text));
                    }
                    return (N) (isFloat ? (Number) (float) value : (Number) value);
                }
            };
        }

        /**
         * @return the text of the number (or numeric string) at {@code token}, or null for JSON null (consumed);
         * refuses anything else with "expected {@code what}, got ..."
         */
        private static String numberText(JsonReader in, JsonToken token, String what) throws IOException {
            if (token == JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            if (token != JsonToken.NUMBER && token != JsonToken.STRING) {
                in.skipValue();
                throw new Refused(in, "expected " + what + ", got " + tokenKind(token.name()));
            }
            return in.nextString();
        }

        /** Java accepts "Infinity", "NaN", "0x1p3" and a trailing "d": JSON numbers are digits, sign, '.', 'e'. */
        private static boolean looksNumeric(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
                    return false;
                }
            }
            return !s.isEmpty();
        }

        private static boolean isPlainInteger(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = s.charAt(0) == '-' ? 1 : 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return s.length() > (s.charAt(0) == '-' ? 1 : 0);
        }

        private static String abbreviate(String s) {
            return s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }
    }

    /** {@code Optional<T>}: empty as JSON null, present as the value. */
    static final class OptionalAdapterFactory implements TypeAdapterFactory {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> typeToken) {
            if (typeToken.getRawType() != Optional.class) {
                return null;
            }
            Type inner = typeToken.getType() instanceof ParameterizedType p ? p.getActualTypeArguments()[0]
                    : Object.class;
            TypeAdapter<Object> delegate = (TypeAdapter<Object>) gson.getAdapter(TypeToken.get(inner));
            return (TypeAdapter<T>) new TypeAdapter<Optional<?>>() {
                @Override
                public void write(JsonWriter out, Optional<?> value) throws IOException {
                    if (value == null || value.isEmpty()) {
                        out.nullValue();
                    } else {
                        delegate.write(out, value.get());
                    }
                }

                @Override
                public Optional<?> read(JsonReader in) throws IOException {
                    if (in.peek() == JsonToken.NULL) {
                        in.nextNull();
                        return Optional.empty();
                    }
                    return Optional.ofNullable(delegate.read(in));
                }
            };
        }
    }
}
