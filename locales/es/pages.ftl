# Las páginas públicas del programa: lo que ve una familia en la web de un centro, con palabras sencillas.

page-site-name = Grupos para madres, padres y bebés
page-skip = Ir a los grupos
page-language = Idioma
page-programme-title = Grupos para madres, padres y bebés este trimestre
page-programme-intro = Grupos gratuitos para madres, padres y cuidadores con bebés y niños pequeños. Elija un grupo para ver sus fechas y reservar una plaza.
page-filter-heading = Buscar un grupo
page-filter-ward = Zona (barrio)
page-filter-venue = Centro infantil o lugar
page-filter-programme = Tipo de grupo
page-filter-any = Cualquiera
page-filter-has-places = Solo grupos con plazas libres
page-filter-has-creche = Solo grupos con plazas libres en la guardería
page-filter-submit = Mostrar grupos
page-count = { $count ->
    [0] Ningún grupo coincide.
    [one] 1 grupo
   *[other] { $count } grupos
}
page-none = Ningún grupo coincide con lo que eligió. Pruebe con menos opciones, o llámenos y le ayudamos a encontrar uno.
page-first-session = Empieza
page-time = Hora
page-sessions = Sesiones
page-session-count = { $count ->
    [one] 1 sesión, una vez por semana
   *[other] { $count } sesiones, una vez por semana
}
page-where = Dónde
page-places = Plazas
page-places-left = { $count ->
    [0] Completo: puede apuntarse a la lista de espera
    [one] Queda 1 plaza
   *[other] Quedan { $count } plazas
}
page-creche = Guardería
page-creche-none = Este grupo no tiene guardería
page-creche-left = { $count ->
    [0] La guardería está completa
    [one] Queda 1 plaza en la guardería
   *[other] Quedan { $count } plazas en la guardería
}
page-creche-by-age = Menores de 2 años: { $under2 }. 2 años: { $age2 }. 3 años o más: { $age3 }.
page-see-group = Fechas y reserva
page-calendar = Añadir todos los grupos a su calendario
page-group-calendar = Añadir estas fechas a su calendario
page-book = Reservar una plaza
page-book-closed = Las reservas para este grupo ya se cerraron. Llámenos y le contamos cuándo es el próximo.
page-call = ¿Prefiere hablar con alguien? Llame al { $phone }.
page-call-centre = ¿Prefiere hablar con alguien? Llame a su centro infantil.
page-dates = Fechas
page-session-number = Sesión { $number }
page-session-cancelled = Cancelada: no hay grupo este día
page-no-group-bank-holiday = No hay grupo esta semana: día festivo
page-no-group-closed = No hay grupo esta semana: el centro está cerrado
page-no-group = No hay grupo esta semana
page-access = Cómo llegar y accesibilidad
page-map = Mapa de { $venue } (OpenStreetMap)
page-back = Todos los grupos
page-print = Imprimir el programa
page-print-title = Grupos para madres, padres y bebés
page-print-scan = Escanee para ver las fechas y reservar
page-print-venue = En { $venue }
page-footer = Grupos gratuitos de los centros infantiles. Esta página no guarda ningún dato suyo.
page-pages = Páginas de grupos
page-of = Página { $page } de { $pages }
page-previous = Página anterior
page-next = Página siguiente
