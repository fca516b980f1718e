package io.sluice.streams.internals;

import io.sluice.streams.Serde;

/**
 * A key-value store of a topology: its name and the serdes of its changelog. Not part of the API.
 *
 * @param name       of the store; its changelog topic is {@code <application id>-<name>-changelog}.
 * @param keySerde   of its keys.
 * @param valueSerde of its values.
 */
public record StoreDef(String name, Serde<?> keySerde, Serde<?> valueSerde)
{
    /**
     * @param applicationId of the application.
     * @return the changelog topic.
     */
    public String changelogTopic(final String applicationId)
    {
        return applicationId + "-" + name + "-changelog";
    }
}
