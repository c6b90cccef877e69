"""REST endpoints of incidents: declare, read, change, move, correct instants, roles, linked
alert groups, notes, pins and status updates. Each answers with the incident as it stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import PlainTextResponse

from ninefold.errors import Invalid
from ninefold.http import CurrentUser, Limit, Now, Offset, RawBody, RowId, SessionDep, SettingsDep
from ninefold.incidents import (
    action_items,
    notes,
    postmortems,
    read,
    roles,
    runbooks_used,
    service,
    updates,
)
from ninefold.incidents.model import Severity
from ninefold.incidents.schemas import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    IncidentDetail,
    IncidentIn,
    IncidentOut,
    IncidentPatch,
    InstantsIn,
    LinkGroupsIn,
    NoteIn,
    PostmortemEdit,
    PostmortemMove,
    PostmortemOut,
    RoleIn,
    RunbookUseIn,
    StatusIn,
    UpdateIn,
)
from ninefold.pagination import Page, page_of
from ninefold.runbooks.schemas import RunbookOut, TestOut
from ninefold.slos.incident_burn import Pricer

router = APIRouter(tags=["incidents"])
NoteId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The note's id.")]
Ref = Annotated[
    str,
    Path(
        max_length=40,
        description="A timeline entry's reference: event:N, group-event:N or change:N.",
    ),
]


@router.post(
    "/incidents",
    status_code=status.HTTP_201_CREATED,
    summary="Declare an incident, by hand or from alert groups",
)
def declare(body: IncidentIn, session: SessionDep, now: Now, me: CurrentUser) -> IncidentDetail:
    row = service.declare(session, me, body, now)
    return read.detail(session, row.id, now)


@router.get("/incidents", summary="List incidents, newest first")
def list_incidents(
    session: SessionDep,
    _me: CurrentUser,
    state: Annotated[
        str | None,
        Query(
            alias="status",
            pattern="^(open|investigating|identified|monitoring|resolved)$",
            description="A status, or `open` for any but resolved.",
        ),
    ] = None,
    severity: Annotated[Severity | None, Query()] = None,
    service_name: Annotated[
        str | None, Query(alias="service", description="Impacting this service.")
    ] = None,
    category: Annotated[str | None, Query(description="Root-cause category.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[IncidentOut]:
    filters = read.Filters(state, severity, service_name, category)
    return read.list_page(session, filters, limit=limit, offset=offset)


@router.get("/incidents/{incident_id}", summary="An incident with its timeline")
def get_incident(
    incident_id: RowId, session: SessionDep, now: Now, _me: CurrentUser
) -> IncidentDetail:
    return read.detail(session, incident_id, now)


@router.patch(
    "/incidents/{incident_id}",
    summary="Change title, severity, services, summary, root-cause category or causing change",
)
def patch_incident(
    incident_id: RowId, body: IncidentPatch, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    service.patch(session, me, incident_id, body, now)
    return read.detail(session, incident_id, now)


@router.post("/incidents/{incident_id}/status", summary="Move to a status, or reopen")
def move(
    incident_id: RowId, body: StatusIn, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    service.move(session, me, incident_id, body, now)
    return read.detail(session, incident_id, now)


@router.patch("/incidents/{incident_id}/instants", summary="Set or correct instants (audited)")
def set_instants(
    incident_id: RowId, body: InstantsIn, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    service.set_instants(session, me, incident_id, body, now)
    return read.detail(session, incident_id, now)


@router.post("/incidents/{incident_id}/roles", summary="Give a role to someone, or free it")
def assign_role(
    incident_id: RowId, body: RoleIn, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    roles.assign(session, me, incident_id, body.role, body.user, now)
    return read.detail(session, incident_id, now)


@router.post("/incidents/{incident_id}/groups", summary="Link more alert groups")
def link_groups(
    incident_id: RowId, body: LinkGroupsIn, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    service.link_groups(session, me, incident_id, body.groups, now)
    return read.detail(session, incident_id, now)


@router.post(
    "/incidents/{incident_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Write a note on the timeline",
)
def add_note(
    incident_id: RowId, body: NoteIn, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    notes.add(session, me, incident_id, body.text, now)
    return read.detail(session, incident_id, now)


@router.patch("/incidents/{incident_id}/notes/{note_id}", summary="Edit a note (audited)")
def edit_note(
    incident_id: RowId,
    note_id: NoteId,
    body: NoteIn,
    session: SessionDep,
    now: Now,
    me: CurrentUser,
) -> IncidentDetail:
    notes.edit(session, me, incident_id, note_id, body.text, now)
    return read.detail(session, incident_id, now)


@router.delete(
    "/incidents/{incident_id}/notes/{note_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a note (audited)",
)
def delete_note(
    incident_id: RowId, note_id: NoteId, session: SessionDep, now: Now, me: CurrentUser
) -> Response:
    notes.remove(session, me, incident_id, note_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/incidents/{incident_id}/pins/{ref}", summary="Pin a timeline entry")
def pin(
    incident_id: RowId, ref: Ref, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    notes.pin(session, me, incident_id, ref, now, on=True)
    return read.detail(session, incident_id, now)


@router.delete("/incidents/{incident_id}/pins/{ref}", summary="Unpin a timeline entry")
def unpin(
    incident_id: RowId, ref: Ref, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    notes.pin(session, me, incident_id, ref, now, on=False)
    return read.detail(session, incident_id, now)


@router.post(
    "/incidents/{incident_id}/updates",
    status_code=status.HTTP_201_CREATED,
    summary="Send a status update to the stakeholders",
)
def post_update(
    incident_id: RowId, body: UpdateIn, session: SessionDep, now: Now, me: CurrentUser
) -> IncidentDetail:
    updates.post(session, me, incident_id, body.text, now)
    return read.detail(session, incident_id, now)


@router.get(
    "/incidents/{incident_id}/runbooks",
    summary="The runbooks of the incident's services and of its alert groups' alerts",
)
def incident_runbooks(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RunbookOut]:
    found = runbooks_used.fitting(session, incident_id, now)
    return page_of(found, limit=limit, offset=offset)


@router.post(
    "/incidents/{incident_id}/runbooks",
    status_code=status.HTTP_201_CREATED,
    summary="Use a runbook in the incident: a test of it, and a timeline entry",
)
def use_runbook(
    incident_id: RowId, body: RunbookUseIn, session: SessionDep, now: Now, me: CurrentUser
) -> TestOut:
    return runbooks_used.use(session, me, incident_id, body.runbook, now, body.note)


@router.post(
    "/incidents/{incident_id}/postmortem",
    status_code=status.HTTP_201_CREATED,
    summary="Start the postmortem: a draft written from the incident",
)
def start_postmortem(
    incident_id: RowId, session: SessionDep, settings: SettingsDep, now: Now, me: CurrentUser
) -> PostmortemOut:
    burns = postmortems.price(session, Pricer.of(settings), incident_id)
    postmortems.start(session, me, incident_id, now, burns)
    return postmortems.out(session, incident_id, now)


@router.get("/incidents/{incident_id}/postmortem", summary="The postmortem, with its score")
def get_postmortem(
    incident_id: RowId, session: SessionDep, now: Now, _me: CurrentUser
) -> PostmortemOut:
    return postmortems.out(session, incident_id, now)


@router.patch("/incidents/{incident_id}/postmortem", summary="Edit the title or sections")
def edit_postmortem(
    incident_id: RowId, body: PostmortemEdit, session: SessionDep, now: Now, me: CurrentUser
) -> PostmortemOut:
    postmortems.edit(session, me, incident_id, body, now)
    return postmortems.out(session, incident_id, now)


@router.post(
    "/incidents/{incident_id}/postmortem/state",
    summary="Send for review, mark reviewed, publish, or back to draft",
)
def move_postmortem(
    incident_id: RowId, body: PostmortemMove, session: SessionDep, now: Now, me: CurrentUser
) -> PostmortemOut:
    postmortems.move(session, me, incident_id, body, now)
    return postmortems.out(session, incident_id, now)


@router.get(
    "/incidents/{incident_id}/postmortem.md",
    summary="The postmortem as Markdown",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/markdown": {}}}},
)
def export_postmortem(incident_id: RowId, session: SessionDep, _me: CurrentUser) -> Response:
    text = postmortems.export_markdown(session, incident_id)
    return Response(text, media_type="text/markdown; charset=utf-8")


@router.put(
    "/incidents/{incident_id}/postmortem.md",
    summary="Replace the postmortem from Markdown (the form export writes)",
)
def import_postmortem(
    incident_id: RowId, body: RawBody, session: SessionDep, now: Now, me: CurrentUser
) -> PostmortemOut:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("the body is not UTF-8 text") from None
    postmortems.import_markdown(session, me, incident_id, text, now)
    return postmortems.out(session, incident_id, now)


@router.post(
    "/incidents/{incident_id}/action-items",
    status_code=status.HTTP_201_CREATED,
    summary="Add an action item",
)
def add_action_item(
    incident_id: RowId, body: ActionItemIn, session: SessionDep, now: Now, me: CurrentUser
) -> ActionItemOut:
    return action_items.out(action_items.add(session, me, incident_id, body, now), now.date())


@router.get("/action-items", summary="Action items, overdue first")
def list_action_items(
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    team: Annotated[str | None, Query(description="Of this team.")] = None,
    owner: Annotated[str | None, Query(description="Owned by this user.")] = None,
    open_only: Annotated[bool, Query(alias="open", description="Open ones only.")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ActionItemOut]:
    found = action_items.list_items(
        session, now.date(), team=team, owner=owner, open_only=open_only
    )
    return page_of(found, limit=limit, offset=offset)


@router.patch("/action-items/{item_id}", summary="Change an action item, close or reopen it")
def update_action_item(
    item_id: RowId, body: ActionItemPatch, session: SessionDep, now: Now, me: CurrentUser
) -> ActionItemOut:
    return action_items.out(action_items.update(session, me, item_id, body, now), now.date())
