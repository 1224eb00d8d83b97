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
 * because JSON object keys are strings.
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

    /** @return {@code value} as a JSON tree ({@link JsonNull} for null). */
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
                throw new IllegalArgumentException("null is not a valid " + c.getName());
            }
            if (value == null && rawType(type) == Optional.class) {
                return (T) Optional.empty();
            }
            return (T) value;
        } catch (JsonParseException | NumberFormatException | IllegalStateException | ClassCastException e) {
            throw new IllegalArgumentException("cannot convert " + abbreviate(json) + " to "
                    + type.getTypeName() + ": " + rootMessage(e), e);
        } catch (RuntimeException e) {
            // e.g. a record's constructor rejected the values: its message is the application's, not ours to echo
            throw new IllegalArgumentException("cannot convert " + abbreviate(json) + " to "
                    + type.getTypeName() + ": the type's constructor rejected the value", e);
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

    private static String abbreviate(JsonElement json) {
        String s = String.valueOf(json);
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        int see = m.indexOf(" See https://");
        return see < 0 ? m : m.substring(0, see);
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
                            throw new JsonSyntaxException("expected a boolean but was \"" + abbreviate(s) + "\"");
                        }
                        throw new JsonSyntaxException("expected a boolean but was " + token);
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
                    if (token == JsonToken.NULL) {
                        in.nextNull();
                        return null;
                    }
                    if (token != JsonToken.NUMBER && token != JsonToken.STRING) {
                        throw new JsonSyntaxException("expected " + what + " but was " + token);
                    }
                    String text = in.nextString();
                    long value;
                    try {
                        value = text.length() <= 18 && isPlainInteger(text) ? Long.parseLong(text)
                                : new java.math.BigDecimal(text).longValueExact();
                    } catch (NumberFormatException | ArithmeticException e) {
                        throw new JsonSyntaxException("expected " + what + " but was " + abbreviate(text));
                    }
                    if (value < min || value > max) {
                        throw new JsonSyntaxException(abbreviate(text) + " is out of range for " + what);
                    }
                    return box.apply(value);
                }
            };
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
