package io.sluice.connect.transforms;

import io.sluice.connect.DataException;
import io.sluice.connect.Transform;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * For the transforms that work on a value's fields: the value as a mutable copy of its map.
 */
final class Fields
{
    private Fields()
    {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> copy(final Transform.Record record, final String transform)
    {
        if (!(record.value() instanceof Map<?, ?> map))
        {
            throw new DataException(transform + " needs a value of fields (a map; value.converter=json), not " +
                (null == record.value() ? "null" : record.value().getClass().getSimpleName()) + " in " +
                record.topic());
        }
        return new LinkedHashMap<>((Map<String, Object>)map);
    }
}
