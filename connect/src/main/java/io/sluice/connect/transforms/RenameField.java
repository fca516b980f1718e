package io.sluice.connect.transforms;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.Transform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renames fields of the value: {@code renames=old:new,other:renamed}. Fields not named stay; the order is kept.
 */
public final class RenameField implements Transform
{
    private final Map<String, String> renames = new LinkedHashMap<>();

    public ConfigDef config()
    {
        return new ConfigDef().define("renames", ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT,
            (v) -> ((List<?>)v).stream().allMatch((pair) -> ((String)pair).matches("[^:]+:[^:]+")),
            "old:new pairs, comma-separated", "the fields to rename");
    }

    @SuppressWarnings("unchecked")
    public void configure(final Map<String, Object> config)
    {
        for (final String pair : (List<String>)config.get("renames"))
        {
            final String[] parts = pair.split(":");
            renames.put(parts[0].trim(), parts[1].trim());
        }
    }

    public Record apply(final Record record)
    {
        final Map<String, Object> fields = Fields.copy(record, "RenameField");
        final Map<String, Object> renamed = new LinkedHashMap<>();
        fields.forEach((name, value) -> renamed.put(renames.getOrDefault(name, name), value));
        return new Record(record.topic(), record.key(), renamed, record.timestamp());
    }
}
