package io.sluice.connect;

import java.util.List;
import java.util.Map;

/**
 * A connector whose work is one stream (a file, a table): it keeps its properties and hands them to one task,
 * whatever {@code tasks.max} allows, and has nothing to stop. Subclasses declare their configuration and task.
 */
public abstract class SingleTaskConnector implements Connector
{
    private Map<String, String> properties = Map.of();

    public void start(final Map<String, String> properties)
    {
        this.properties = properties;
    }

    /** @return the properties it was started with. */
    protected Map<String, String> properties()
    {
        return properties;
    }

    public List<Map<String, String>> taskConfigs(final int maxTasks)
    {
        return List.of(properties);
    }

    public void stop()
    {
    }
}
