package dev.pipeline.rpc.json;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonParseException;
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
 */
public final class Codec {
    static final Gson GSON = new GsonBuilder()
            .serializeNulls()
            .disableHtmlEscaping()
            .setObjectToNumberStrategy(ToNumberPolicy.LAZILY_PARSED_NUMBER)
            .setNumberToNumberStrategy(ToNumberPolicy.LAZILY_PARSED_NUMBER)
            .registerTypeAdapterFactory(new OptionalAdapterFactory())
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
        }
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
