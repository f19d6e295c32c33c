"""Domain events. The domain sends them after commit; kiosk.live.bridge forwards them live.

Every signal is sent with the Store as sender and keyword arguments:

- ``checked_in``: ``event`` (dict: attendee, gate, direction, at, device_id) after a check-in or out.
- ``checkin_refused``: ``event`` (dict: reason, gate, device_id, attendee_id or None).
- ``registered``: ``event`` (dict: attendee id, category, source) after a new person is created.
- ``lead_captured``: ``event`` (dict: lead, exhibitor_id) after a lead is created or updated.
- ``scanned``: ``event`` (dict: gate, result) after a camera scanner sent a check-in.
- ``alert``: ``event`` (dict: kind, message, at, and gate, device_id, printer where they apply) for
  trouble staff must see (a printer that failed, repeated invalid scans at one gate).
"""

from blinker import Namespace

_signals = Namespace()

checked_in = _signals.signal("checked-in")
checkin_refused = _signals.signal("checkin-refused")
registered = _signals.signal("registered")
lead_captured = _signals.signal("lead-captured")
scanned = _signals.signal("scanned")
alert = _signals.signal("alert")

# Staff console and show floor (see kiosk/console):
# - ``session_attended``: ``event`` (dict: attendee_id, session, at, device_id).
# - ``survey_answered``: ``event`` (dict: response_id, attendee_id or None, at).
# - ``people_changed``: ``event`` (dict: action, attendee_id) after a desk correction, reprint,
#   void or merge.
session_attended = _signals.signal("session-attended")
survey_answered = _signals.signal("survey-answered")
people_changed = _signals.signal("people-changed")
