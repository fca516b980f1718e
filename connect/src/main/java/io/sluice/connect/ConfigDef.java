package io.sluice.connect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The declared configuration of a connector (or worker): each key with its type, default, documentation and
 * validation, as Kafka Connect's {@code ConfigDef}. {@link #parse} turns string properties into typed values and
 * refuses a missing required key, a value of the wrong type or one its validator rejects, naming the key. Keys not
 * declared are kept as they are, for the runtime and for transforms. Immutable once built; thread-safe.
 */
public final class ConfigDef
{
    /** The type of a value. */
    public enum Type
    {
        /** Any text. */
        STRING,
        /** A 32-bit whole number. */
        INT,
        /** A 64-bit whole number. */
        LONG,
        /** true or false. */
        BOOLEAN,
        /** Comma-separated text, trimmed, empty items dropped. */
        LIST
    }

    /** The default of a key that must be given. */
    public static final Object NO_DEFAULT = new Object();

    /**
     * One declared key.
     *
     * @param name         the key.
     * @param type         its type.
     * @param defaultValue its default (typed), or {@link #NO_DEFAULT}.
     * @param validator    accepts a typed value, or null for any.
     * @param rule         what the validator asks, for the message.
     * @param documentation what the key does.
     */
    public record Key(String name, Type type, Object defaultValue, Predicate<Object> validator, String rule,
        String documentation)
    {
    }

    private final Map<String, Key> keys = new LinkedHashMap<>();

    /**
     * Declare a key.
     *
     * @param name          the key.
     * @param type          its type.
     * @param defaultValue  its default, typed, or {@link #NO_DEFAULT} if it must be given.
     * @param documentation what it does.
     * @return this.
     */
    public ConfigDef define(final String name, final Type type, final Object defaultValue, final String documentation)
    {
        return define(name, type, defaultValue, null, null, documentation);
    }

    /**
     * Declare a key with a validator.
     *
     * @param name          the key.
     * @param type          its type.
     * @param defaultValue  its default, typed, or {@link #NO_DEFAULT} if it must be given.
     * @param validator     accepts a typed value.
     * @param rule          what the validator asks, shown when it refuses ("at least 1").
     * @param documentation what it does.
     * @return this.
     */
    public ConfigDef define(final String name, final Type type, final Object defaultValue,
        final Predicate<Object> validator, final String rule, final String documentation)
    {
        if (keys.containsKey(name))
        {
            throw new IllegalArgumentException("key " + name + " is defined twice");
        }
        keys.put(name, new Key(name, type, defaultValue, validator, rule, documentation));
        return this;
    }

    /**
     * @param other keys to add.
     * @return this, with the keys of {@code other} too.
     */
    public ConfigDef with(final ConfigDef other)
    {
        other.keys.values().forEach((key) -> define(key.name, key.type, key.defaultValue, key.validator, key.rule,
            key.documentation));
        return this;
    }

    /** @return the declared keys, in declaration order. */
    public List<Key> keys()
    {
        return List.copyOf(keys.values());
    }

    /**
     * Parse and validate.
     *
     * @param properties as given.
     * @return the typed values of the declared keys (defaults filled in) and the undeclared ones as strings.
     * @throws ConfigException naming the first key at fault.
     */
    public Map<String, Object> parse(final Map<String, String> properties)
    {
        final Map<String, Object> values = new TreeMap<>(properties);
        for (final Key key : keys.values())
        {
            final String raw = properties.get(key.name);
            final Object value;
            if (null == raw)
            {
                if (key.defaultValue == NO_DEFAULT)
                {
                    throw new ConfigException(key.name, null, key.documentation);
                }
                value = key.defaultValue;
            }
            else
            {
                value = convert(key, raw.trim());
            }
            if (null != value && null != key.validator && !key.validator.test(value))
            {
                throw new ConfigException(key.name, raw, null == key.rule ? "refused" : "expected " + key.rule);
            }
            values.put(key.name, value);
        }
        return Collections.unmodifiableMap(values);
    }

    private static Object convert(final Key key, final String raw)
    {
        try
        {
            return switch (key.type)
            {
                case STRING -> raw;
                case INT -> Integer.parseInt(raw);
                case LONG -> Long.parseLong(raw);
                case BOOLEAN ->
                {
                    if (!"true".equalsIgnoreCase(raw) && !"false".equalsIgnoreCase(raw))
                    {
                        throw new ConfigException(key.name, raw, "expected true or false");
                    }
                    yield Boolean.parseBoolean(raw);
                }
                case LIST ->
                {
                    final List<String> items = new ArrayList<>();
                    Arrays.stream(raw.split(",")).map(String::trim).filter((item) -> !item.isEmpty())
                        .forEach(items::add);
                    yield List.copyOf(items);
                }
            };
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(key.name, raw, "expected a whole number (" + key.type.name().toLowerCase() + ")");
        }
    }
}
