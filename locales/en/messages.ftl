# Messages to families, in plain words. Variables:
#   $group      the group's title, e.g. "Together Time — Tuesday mornings"
#   $programme  the programme's name, e.g. "Circle of Security Parenting"
#   $venue      the venue's name
#   $date       a session's date, written out (e.g. "Tuesday 3 March 2027")
#   $start/$end a session's start and end times (e.g. "10:00")
#   $position   place on the waiting list (1 = next)
#   $count      a number of children
#   $reason     the centre's own note, as the centre wrote it (not translated)
#   $link       a link to the family's bookings
# Keep every message short and kind: many families reading these are tired, anxious or reading
# in their second language.

greeting = Hello,
sign-off = With best wishes from the team at { $venue }

## Booking confirmed
booking-confirmed-subject = Your place on { $group } is booked
booking-confirmed-intro = Good news: your place on { $group } is booked. We are looking forward to meeting you.
booking-confirmed-sms = Your place on { $group } is booked. First session: { $date } at { $start }. Details: { $link }

## Waiting list
booking-waitlisted-subject = You are on the waiting list for { $group }
booking-waitlisted-intro = { $group } is full at the moment, so we have put you on the waiting list. You are number { $position } on the list.
booking-waitlisted-next = If a place comes up, it will be yours and we will tell you straight away. You do not need to do anything.
booking-waitlisted-sms = { $group } is full. You are number { $position } on the waiting list and we will tell you if a place comes up. { $link }

## A place came up
booking-promoted-subject = Good news: a place on { $group } is yours
booking-promoted-intro = A place has come up on { $group } and it is now yours. Your booking is confirmed.
booking-promoted-sms = Good news: a place on { $group } is now yours. First session: { $date } at { $start }. Details: { $link }

## Booking cancelled
booking-cancelled-subject = Your booking for { $group } is cancelled
booking-cancelled-intro = As you asked, we have cancelled your place on { $group }.
booking-cancelled-by-centre-intro = We are sorry: the centre has cancelled your place on { $group }. If you did not expect this, please get in touch with us.
booking-cancelled-next = You are always welcome to book a group again.
booking-cancelled-sms = Your place on { $group } is cancelled. { $link }

## A session moved
session-moved-subject = { $group }: a session has moved
session-moved-intro = One of your { $group } sessions has moved to a new time.
session-moved-was = It was on { $date } at { $start }.
session-moved-now = It is now on { $date }, { $start } to { $end }.
session-moved-sms = { $group }: a session has moved to { $date } at { $start }. { $link }

## A session cancelled
session-cancelled-subject = { $group }: no session on { $date }
session-cancelled-intro = We are sorry: there will be no { $group } session on { $date }.
session-cancelled-sms = { $group }: no session on { $date }. { $link }

## The group cancelled
group-cancelled-subject = { $group } will not go ahead
group-cancelled-intro = We are very sorry: { $group } will not go ahead, and your booking is cancelled.
group-cancelled-next = We would love to see you at another group. Please ask us, or look at what is coming up.
group-cancelled-sms = We are sorry: { $group } will not go ahead. { $link }

## Reminder
reminder-subject = Reminder: { $group } on { $date } at { $start }
reminder-intro = This is a reminder of your { $group } session on { $date }, { $start } to { $end }.
reminder-cannot-come = If you cannot come, that is fine: please let us know, and you are welcome the next week.
reminder-opt-out = You can turn these reminders off in your profile.
reminder-sms = Reminder: { $group } on { $date } at { $start }, { $venue }. { $link }

## To the group's team (sent in English; written in every language, as every message is)
team-group-cancelled-subject = { $group } is cancelled
team-group-cancelled-intro = { $group } at { $venue } has been cancelled and will not go ahead. You are no longer needed for its sessions still to come.
team-group-cancelled-sms = { $group } at { $venue } is cancelled and will not go ahead.
team-session-moved-subject = { $group }: a session you work on has moved
team-session-moved-intro = A { $group } session you work on has moved to a new time.
team-session-moved-sms = { $group }: a session has moved to { $date } at { $start }.
team-session-cancelled-subject = { $group }: no session on { $date }
team-session-cancelled-intro = There will be no { $group } session on { $date }, so you are not needed for it.
team-session-cancelled-sms = { $group }: no session on { $date }.
team-families-told = The families have been told.

## Parts of several messages
reason = The centre's note: { $reason }
sessions-heading = Your sessions:
session-line = { $date }, { $start } to { $end }
session-line-cancelled = { $date }: no session
where = Where: { $venue }
creche-booked = { $count ->
    [one] A crèche place is booked for your child.
   *[other] Crèche places are booked for your { $count } children.
}
creche-bring = Please bring what your child needs for the crèche, such as nappies, a drink and a comforter.
calendar-attached = The sessions are attached as a calendar file, so you can add them to your phone or computer calendar.
calendar-updated = The attached calendar file updates the sessions already in your calendar.
see-bookings = See your bookings: { $link }
# The words of the link in an HTML email (the address itself is the link).
see-bookings-link = See your bookings

# The first confirmation to an address not yet confirmed also confirms it ($confirm: the link).
confirm-address = Please confirm this is your email address by opening this link (it works once, for a week): { $confirm } Until you do, we will not send you reminders by email.

## Accounts: links and notices (variables: $link the one-time link, $email the new address,
## $hours or $days how long the link works)
account-sign-off = With best wishes from the children's centre team
account-link-valid-hours = { $hours ->
    [one] The link works once, for one hour.
   *[other] The link works once, for { $hours } hours.
}
account-link-valid-days = { $days ->
    [one] The link works once, for one day.
   *[other] The link works once, for { $days } days.
}
account-not-you = If you did not ask for this, you can ignore this email: nothing will change.
account-confirm-email-subject = Welcome: please confirm your email address
account-confirm-email-intro = Welcome! Your account is ready, and you can book a group straight away.
account-confirm-email-ask = Please open the link below to show us this is your email address. Until you do, we will not send you reminders by email.
account-confirm-email-action = Confirm my email address
account-confirm-email-sms = Please confirm the email address of your children's centre account: { $link }
account-invitation-subject = Your family's bookings are ready for you to see online
account-invitation-intro = The children's centre has put your family's details and bookings on its booking service. You can now see them online and book groups yourself.
account-invitation-ask = Open the link below to choose a password. You will then see the bookings the centre made for you. If you would rather not, that is fine: the centre can keep booking for you.
account-invitation-action = Choose my password
account-invitation-sms = Your children's centre invites you to see your bookings online: { $link }
account-password-reset-subject = Choose a new password
account-password-reset-intro = Someone, probably you, asked to reset the password of your children's centre account.
account-password-reset-ask = Open the link below to choose a new password. When you have, you will be signed out on your other devices.
account-password-reset-action = Choose a new password
account-password-reset-sms = To choose a new password for your children's centre account: { $link }
account-email-change-subject = Please confirm your new email address
account-email-change-intro = You asked to use this email address for your children's centre account.
account-email-change-ask = Open the link below to confirm it. Until you do, your account keeps your old address.
account-email-change-action = Confirm my new address
account-email-change-sms = To confirm your new email address: { $link }
account-email-changed-subject = Your email address has changed
account-email-changed-intro = The email address of your children's centre account is now { $email }. From now on we will write to that address.
account-email-changed-ask = If you did not make this change, please call the centre straight away.
account-email-changed-sms = The email address of your children's centre account has changed. If this was not you, please call the centre.
account-password-changed-subject = Your password has changed
account-password-changed-intro = The password of your children's centre account has changed, and you have been signed out on your other devices.
account-password-changed-ask = If you did not make this change, please choose a new password now with "Forgotten your password?", or call the centre.
account-password-changed-sms = The password of your children's centre account has changed. If this was not you, please call the centre.

## Something happened in the crèche (variables: $child the child's first name, $date and $time
## when it happened, $what what happened and $first_aid the first aid given, as the crèche team
## wrote them). Many parents reading this will worry: say plainly what happened, gently.
creche-incident-subject = A note from the crèche about { $child }
creche-incident-intro = We are writing to let you know about something that happened to { $child } in the crèche during { $group } on { $date } at { $time }.
creche-incident-what = What happened: { $what }
creche-incident-first-aid = First aid given: { $first_aid }
creche-incident-no-first-aid = No first aid was given.
creche-incident-ask = If you have any questions, or you notice anything later that worries you, please talk to the crèche team or call the centre.
creche-incident-see = You can read this in your account and let us know there that you have seen it: { $link }
# The words of the link in an HTML email.
creche-incident-see-link = Read it in your account
creche-incident-sms = { $group }: the crèche has written to you about your child ({ $date }). Please read it in your account: { $link }

# Kept in English only, on purpose: the tests show with it that a message missing from a
# translation is read in English, never as its id.
untranslated-check = This sentence is only written in English.
