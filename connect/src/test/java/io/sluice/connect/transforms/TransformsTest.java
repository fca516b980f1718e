package io.sluice.connect.transforms;

import io.sluice.connect.ConfigException;
import io.sluice.connect.DataException;
import io.sluice.connect.Transform;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TransformsTest
{
    private static final Transform.Record ROW = new Transform.Record("people", "k", row(), 1_700_000_000_000L);

    private static Map<String, Object> row()
    {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 7);
        row.put("name", "Ada");
        row.put("password", "x");
        return row;
    }

    private static <T extends Transform> T configured(final T transform, final Map<String, String> config)
    {
        transform.configure(transform.config().parse(config));
        return transform;
    }

    @Test
    void shouldRenameDropAndInsertFields()
    {
        final Transform.Record renamed = configured(new RenameField(), Map.of("renames", "name:full_name, id:person_id"))
            .apply(ROW);
        assertEquals(Map.of("person_id", 7, "full_name", "Ada", "password", "x"), renamed.value());
        assertEquals(List.of("person_id", "full_name", "password"),
            List.copyOf(((Map<?, ?>)renamed.value()).keySet()), "order kept");
        assertEquals(Map.of("id", 7, "name", "Ada"), configured(new DropField(), Map.of("fields", "password"))
            .apply(ROW).value());
        assertEquals(1_700_000_000_000L, ((Map<?, ?>)configured(new InsertTimestamp(), Map.of("field", "at"))
            .apply(ROW).value()).get("at"));
        assertEquals(Map.of("id", 7, "name", "Ada", "password", "x"), ROW.value(), "the input is left alone");
    }

    @Test
    void shouldRouteByRegexAndFilter()
    {
        final RegexRouter router = configured(new RegexRouter(), Map.of("regex", "peo(.*)", "replacement", "crm-peo$1"));
        assertEquals("crm-people", router.apply(ROW).topic());
        final Transform.Record other = new Transform.Record("orders", null, "x", 0);
        assertSame(other, router.apply(other));

        final Filter keepAda = configured(new Filter(), Map.of("field", "name", "pattern", "A.*"));
        assertSame(ROW, keepAda.apply(ROW));
        assertNull(configured(new Filter(), Map.of("field", "name", "pattern", "A.*", "exclude", "true")).apply(ROW));
        assertNull(configured(new Filter(), Map.of("pattern", "error.*")).apply(other), "the whole value");
    }

    @Test
    void shouldRefuseBadConfigurationsAndValuesThatAreNotFields()
    {
        assertEquals("renames", assertThrows(ConfigException.class,
            () -> configured(new RenameField(), Map.of("renames", "no-colon"))).key());
        assertEquals("regex", assertThrows(ConfigException.class,
            () -> configured(new RegexRouter(), Map.of("regex", "(", "replacement", "x"))).key());
        assertEquals("field", assertThrows(ConfigException.class,
            () -> configured(new InsertTimestamp(), Map.of())).key());
        assertThrows(DataException.class, () -> configured(new DropField(), Map.of("fields", "a"))
            .apply(new Transform.Record("t", null, "a line", 0)));
    }
}
