/**
 * Who is calling: the tenant and credential of the request ({@link io.sluice.caller.Caller}) and
 * the scopes a credential may hold ({@link io.sluice.caller.Scopes}). Every resource asks these;
 * how a credential is checked is {@code io.sluice.security}'s business.
 */
package io.sluice.caller;
