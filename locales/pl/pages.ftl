# Publiczne strony programu: to, co rodzina widzi na stronie ośrodka, prostymi słowami.
# Crèche: "opieka nad dziećmi (w czasie spotkań)", as in messages.ftl.

page-site-name = Grupy dla rodziców i niemowląt
page-skip = Przejdź do grup
page-language = Język
page-programme-title = Grupy dla rodziców i niemowląt w tym semestrze
page-programme-intro = Bezpłatne grupy dla rodziców i opiekunów z niemowlętami i małymi dziećmi. Wybierz grupę, aby zobaczyć terminy i zarezerwować miejsce.
page-filter-heading = Znajdź grupę
page-filter-ward = Okolica (dzielnica)
page-filter-venue = Ośrodek dla dzieci lub miejsce
page-filter-programme = Rodzaj grupy
page-filter-any = Dowolna
page-filter-has-places = Tylko grupy z wolnymi miejscami
page-filter-has-creche = Tylko grupy z wolnymi miejscami w opiece nad dziećmi
page-filter-submit = Pokaż grupy
page-count = { $count ->
    [0] Żadna grupa nie pasuje.
    [one] 1 grupa
    [few] { $count } grupy
   *[other] { $count } grup
}
page-none = Żadna grupa nie pasuje do Twojego wyboru. Spróbuj wybrać mniej opcji albo zadzwoń do nas, a pomożemy znaleźć grupę.
page-first-session = Początek
page-time = Godzina
page-sessions = Spotkania
page-session-count = { $count ->
    [one] 1 spotkanie, raz w tygodniu
    [few] { $count } spotkania, raz w tygodniu
   *[other] { $count } spotkań, raz w tygodniu
}
page-where = Gdzie
page-places = Miejsca
page-places-left = { $count ->
    [0] Brak miejsc: możesz zapisać się na listę oczekujących
    [one] Zostało 1 miejsce
    [few] Zostały { $count } miejsca
   *[other] Zostało { $count } miejsc
}
page-creche = Opieka nad dziećmi (w czasie spotkań)
page-creche-none = W tej grupie nie ma opieki nad dziećmi
page-creche-left = { $count ->
    [0] Brak wolnych miejsc w opiece nad dziećmi
    [one] Zostało 1 miejsce w opiece nad dziećmi
    [few] Zostały { $count } miejsca w opiece nad dziećmi
   *[other] Zostało { $count } miejsc w opiece nad dziećmi
}
page-creche-by-age = Poniżej 2 lat: { $under2 }. 2 lata: { $age2 }. 3 lata i więcej: { $age3 }.
page-see-group = Terminy i rezerwacja
page-calendar = Dodaj wszystkie grupy do kalendarza
page-group-calendar = Dodaj te terminy do kalendarza
page-book = Zarezerwuj miejsce
page-book-closed = Zapisy do tej grupy są już zamknięte. Zadzwoń do nas, a powiemy Ci o następnej.
page-call = Wolisz z kimś porozmawiać? Zadzwoń pod numer { $phone }.
page-call-centre = Wolisz z kimś porozmawiać? Zadzwoń do swojego ośrodka dla dzieci.
page-dates = Terminy
page-session-number = Spotkanie { $number }
page-session-cancelled = Odwołane: tego dnia nie ma grupy
page-no-group-bank-holiday = W tym tygodniu nie ma grupy: dzień wolny od pracy
page-no-group-closed = W tym tygodniu nie ma grupy: ośrodek jest zamknięty
page-no-group = W tym tygodniu nie ma grupy
page-access = Dojazd i dostępność
page-map = Mapa: { $venue } (OpenStreetMap)
page-back = Wszystkie grupy
page-print = Wydrukuj program
page-print-title = Grupy dla rodziców i niemowląt
page-print-scan = Zeskanuj, aby zobaczyć terminy i zarezerwować
page-print-venue = Miejsce: { $venue }
page-footer = Bezpłatne grupy prowadzone przez ośrodki dla dzieci. Ta strona nie zapisuje żadnych informacji o Tobie.
page-pages = Strony z grupami
page-of = Strona { $page } z { $pages }
page-previous = Poprzednia strona
page-next = Następna strona
