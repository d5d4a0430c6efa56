# The public programme pages (issue 18): what a family sees on a centre's website, in plain words.

page-site-name = Parent and baby groups
page-skip = Skip to the groups
page-language = Language
page-programme-title = Parent and baby groups this term
page-programme-intro = Free groups for parents and carers with babies and young children. Choose a group to see its dates and book a place.
page-filter-heading = Find a group
page-filter-ward = Area (ward)
page-filter-venue = Children's centre or venue
page-filter-programme = Kind of group
page-filter-any = Any
page-filter-has-places = Only groups with places left
page-filter-has-creche = Only groups with crèche places left
page-filter-submit = Show groups
page-count = { $count ->
    [0] No groups match.
    [one] 1 group
   *[other] { $count } groups
}
page-none = No groups match what you chose. Try fewer choices, or call us and we will help you find one.
page-first-session = Starts
page-time = Time
page-sessions = Sessions
page-session-count = { $count ->
    [one] 1 session, once a week
   *[other] { $count } sessions, once a week
}
page-where = Where
page-places = Places
page-places-left = { $count ->
    [0] Full: you can join the waiting list
    [one] 1 place left
   *[other] { $count } places left
}
page-creche = Crèche
page-creche-none = No crèche with this group
page-creche-left = { $count ->
    [0] The crèche is full
    [one] 1 crèche place left
   *[other] { $count } crèche places left
}
page-creche-by-age = Under 2: { $under2 }. Age 2: { $age2 }. Age 3 and over: { $age3 }.
page-see-group = Dates and booking
page-calendar = Add all groups to your calendar
page-group-calendar = Add these dates to your calendar
page-book = Book a place
page-book-closed = Booking has closed for this group. Call us and we will tell you about the next one.
page-call = Would you rather talk to someone? Call { $phone }.
page-call-centre = Would you rather talk to someone? Call your children's centre.
page-dates = Dates
page-session-number = Session { $number }
page-session-cancelled = Cancelled: no group this day
page-no-group-bank-holiday = No group this week: bank holiday
page-no-group-closed = No group this week: the centre is closed
page-no-group = No group this week
page-access = Getting there and access
page-map = Map of { $venue } (OpenStreetMap)
page-back = All groups
page-print = Print the programme
page-print-title = Parent and baby groups
page-print-scan = Scan for dates and booking
page-print-venue = At { $venue }
page-footer = Free groups run by the children's centres. This page keeps no record of you.
page-pages = Pages of groups
page-of = Page { $page } of { $pages }
page-previous = Previous page
page-next = Next page
