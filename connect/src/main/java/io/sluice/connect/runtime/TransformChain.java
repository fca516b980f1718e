package io.sluice.connect.runtime;

import io.sluice.connect.ConfigException;
import io.sluice.connect.Transform;
import io.sluice.connect.transforms.DropField;
import io.sluice.connect.transforms.Filter;
import io.sluice.connect.transforms.InsertTimestamp;
import io.sluice.connect.transforms.RegexRouter;
import io.sluice.connect.transforms.RenameField;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A connector's transforms, in the order of {@code transforms}, each made from {@code transforms.<alias>.type} (a
 * built-in name or a class name) and configured with its keys under {@code transforms.<alias>.}. One chain per task.
 */
final class TransformChain
{
    static final String TRANSFORMS = "transforms";
    private static final Map<String, String> BUILT_IN = Map.of(
        "RenameField", RenameField.class.getName(),
        "DropField", DropField.class.getName(),
        "InsertTimestamp", InsertTimestamp.class.getName(),
        "RegexRouter", RegexRouter.class.getName(),
        "Filter", Filter.class.getName());

    private final List<Transform> transforms;

    private TransformChain(final List<Transform> transforms)
    {
        this.transforms = transforms;
    }

    /**
     * @param aliases    the connector's {@code transforms}.
     * @param properties the connector's properties.
     * @return the chain, every transform configured.
     * @throws ConfigException naming the full key at fault ({@code transforms.<alias>.<key>}).
     */
    static TransformChain of(final List<String> aliases, final Map<String, String> properties)
    {
        final List<Transform> transforms = new ArrayList<>();
        for (final String alias : aliases)
        {
            final String prefix = TRANSFORMS + "." + alias + ".";
            final String type = properties.get(prefix + "type");
            if (null == type)
            {
                throw new ConfigException(prefix + "type", null, "the transform " + alias + " needs a type: " +
                    String.join(", ", new TreeMap<>(BUILT_IN).keySet()) + " or a class name");
            }
            final Transform transform = instantiate(prefix + "type", type);
            final Map<String, String> own = new TreeMap<>();
            properties.forEach((key, value) ->
            {
                if (key.startsWith(prefix) && !key.equals(prefix + "type"))
                {
                    own.put(key.substring(prefix.length()), value);
                }
            });
            try
            {
                transform.configure(transform.config().parse(own));
            }
            catch (final ConfigException ex)
            {
                throw new ConfigException(prefix + ex.key(), own.get(ex.key()),
                    ex.getMessage().substring(ex.getMessage().indexOf(": ") + 2));
            }
            transforms.add(transform);
        }
        return new TransformChain(transforms);
    }

    private static Transform instantiate(final String key, final String type)
    {
        try
        {
            final Class<?> found = Class.forName(BUILT_IN.getOrDefault(type, type));
            if (!Transform.class.isAssignableFrom(found))
            {
                throw new ConfigException(key, type, "not a Transform");
            }
            return (Transform)found.getDeclaredConstructor().newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ConfigException(key, type, "cannot make one (" + ex.getClass().getSimpleName() + ")");
        }
    }

    /**
     * @param record to transform.
     * @return it transformed by every transform in turn, or null if one dropped it.
     */
    Transform.Record apply(final Transform.Record record)
    {
        Transform.Record current = record;
        for (int i = 0; i < transforms.size() && null != current; i++)
        {
            current = transforms.get(i).apply(current);
        }
        return current;
    }
}
