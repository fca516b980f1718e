package io.sluice.transport;

import io.sluice.codecs.client.GroupState;

/**
 * One consumer group in a listing.
 *
 * @param name       of the group.
 * @param state      of its membership.
 * @param members    members now.
 * @param generation current generation, 0 before the first.
 * @param assignor   protocol name of its assignor, empty for a group without members.
 */
public record GroupListing(String name, GroupState state, int members, int generation, String assignor)
{
}
